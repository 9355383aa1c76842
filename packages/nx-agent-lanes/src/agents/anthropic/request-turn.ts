import Anthropic from '@anthropic-ai/sdk';
import { formatDelay } from './format-progress';

/*
 * One model request, made resilient on top of the SDK. The SDK already retries 408/409/429/5xx
 * answers (maxRetries), but it has no idle timeout on a stream and does not retry an `error`
 * event that arrives mid-stream (PRODUCT.md, measured facts). So each attempt watches the
 * stream for silence, and the whole request is attempted again, with backoff, when the stream
 * stalls, breaks or errors, or when the SDK gives up on a retryable status.
 */

export interface RequestTurnOptions {
  client: Anthropic;
  params: Anthropic.MessageStreamParams;
  /** The run's signal: interrupt or wall-clock limit. Aborting it aborts the in-flight request. */
  signal: AbortSignal;
  /** An attempt whose stream sends nothing for this long is aborted and retried; also the SDK's time-to-headers limit. */
  idleTimeoutMs: number;
  maxAttempts: number;
  sleep: (ms: number) => Promise<void>;
  /** Called before each retry, with why and how long it waits. */
  onRetry: (retry: { attempt: number; reason: string; delayMs: number }) => void;
}

export type TurnResponse =
  | { kind: 'message'; message: Anthropic.Message }
  | { kind: 'aborted' }
  /** No (more) retrying: a request the API will never accept, or attempts used up. */
  | { kind: 'failed'; reason: string };

const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;

export async function requestTurn(options: RequestTurnOptions): Promise<TurnResponse> {
  const { signal, maxAttempts } = options;
  let lastReason = 'no attempt was made';
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (signal.aborted) return { kind: 'aborted' };
    const outcome = await attemptStream(options);
    if (outcome.kind !== 'error') return outcome;
    const verdict = classifyError(outcome.error);
    if (signal.aborted) return { kind: 'aborted' };
    if (!verdict.retry) return { kind: 'failed', reason: verdict.reason };
    lastReason = verdict.reason;
    if (attempt === maxAttempts) break;
    const delayMs = Math.min(MAX_DELAY_MS, Math.max(BASE_DELAY_MS * 2 ** (attempt - 1), verdict.retryAfterMs ?? 0));
    options.onRetry({ attempt, reason: verdict.reason, delayMs });
    await sleepUnlessAborted(options.sleep, delayMs, signal);
  }
  if (signal.aborted) return { kind: 'aborted' };
  return { kind: 'failed', reason: `the API request failed ${maxAttempts} times; last error: ${lastReason}` };
}

class IdleStreamError extends Error {
  constructor(readonly idleMs: number) {
    super(`the stream sent nothing for ${formatDelay(idleMs)} and was abandoned`);
  }
}

type AttemptOutcome = { kind: 'message'; message: Anthropic.Message } | { kind: 'aborted' } | { kind: 'error'; error: unknown };

async function attemptStream({ client, params, signal, idleTimeoutMs }: RequestTurnOptions): Promise<AttemptOutcome> {
  const attempt = new AbortController();
  const forwardAbort = () => attempt.abort();
  signal.addEventListener('abort', forwardAbort);
  let idle = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      idle = true;
      attempt.abort();
    }, idleTimeoutMs);
  };
  try {
    // The idle clock starts at the response: before it, the SDK's own `timeout` (time to headers,
    // retried by the SDK) applies, and its backoff sleeps between retries are not silence.
    const stream = client.messages.stream(params, { signal: attempt.signal, timeout: idleTimeoutMs });
    stream.on('connect', arm);
    stream.on('streamEvent', arm);
    const message = await stream.finalMessage();
    return { kind: 'message', message };
  } catch (error) {
    if (signal.aborted) return { kind: 'aborted' };
    return { kind: 'error', error: idle ? new IdleStreamError(idleTimeoutMs) : error };
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', forwardAbort);
  }
}

type Verdict = { retry: true; reason: string; retryAfterMs?: number } | { retry: false; reason: string };

/** Whether an attempt's error is worth another attempt, and how to name it for a person. */
export function classifyError(error: unknown): Verdict {
  if (error instanceof IdleStreamError) return { retry: true, reason: error.message };
  if (error instanceof Anthropic.APIConnectionError) return { retry: true, reason: `connection error: ${error.message}` };
  if (error instanceof Anthropic.APIError) {
    const described = describeApiError(error);
    // No status: an SSE `error` event mid-stream (overloaded_error, api_error), which the SDK does not retry.
    if (error.status === undefined) return { retry: true, reason: `error event mid-stream: ${described}` };
    if (error.status === 408 || error.status === 409 || error.status === 429 || error.status >= 500) {
      return { retry: true, reason: described, retryAfterMs: readRetryAfterMs(error.headers) };
    }
    return { retry: false, reason: `the API refused the request: ${described}` };
  }
  // A stream that ended before message_stop, a broken SSE chunk: transient, like a reset.
  const message = error instanceof Error ? error.message : String(error);
  return { retry: true, reason: `stream broke off: ${message}` };
}

function describeApiError(error: InstanceType<typeof Anthropic.APIError>): string {
  const status = error.status === undefined ? '' : `${error.status} `;
  const type = error.type ?? 'error';
  return `${status}${type}: ${error.apiMessage ?? error.message}`;
}

function readRetryAfterMs(headers: Headers | undefined): number | undefined {
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

async function sleepUnlessAborted(sleep: (ms: number) => Promise<void>, ms: number, signal: AbortSignal): Promise<void> {
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
