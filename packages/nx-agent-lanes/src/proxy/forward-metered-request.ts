import { request as httpRequest, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readApiUsage, type MeteredUsage } from './price-api-usage';
import { createStreamUsageReader } from './read-stream-usage';
import { sendProxyError } from './send-proxy-error';
import { buildClientHeaders, buildUpstreamHeaders, redactText, type UpstreamCredentials } from './upstream-headers';

/** A JSON answer is read whole to find its usage; a Message is bounded by max_tokens, far below this. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;
/** An error body is held to redact it; past this it is cut (a gateway's HTML page, say). */
const MAX_ERROR_BYTES = 1024 * 1024;

export interface ForwardOptions {
  req: IncomingMessage;
  /** The request body, already read (see `readRequestBody`). */
  body: Buffer;
  res: ServerResponse;
  /** The full upstream URL, query included. */
  target: URL;
  credentials: UpstreamCredentials;
  /** Values redacted from anything sent back to the client that the proxy reads whole. */
  secrets: readonly string[];
  /** Read the answer's usage (POST /v1/messages); count_tokens answers are free and carry none. */
  metered: boolean;
  /** How long to keep reading an answer whose client went away, to learn its final usage. */
  drainTimeoutMs: number;
  /** An upstream socket silent this long is given up (the SDK has no idle timeout on a stream). */
  idleTimeoutMs: number;
  /** Registers the upstream call so the proxy's close() can end it. */
  track(request: ClientRequest): () => void;
}

export interface ForwardOutcome {
  /** The upstream's status; undefined when it never answered. */
  status?: number;
  model?: string;
  usage?: MeteredUsage;
  /** The usage is partly a guess: the answer broke off before its final usage arrived. */
  estimated: boolean;
  /** The client went away before the answer was complete. */
  clientGone: boolean;
  /** Why the upstream call failed, for the log (never holds a credential: node's own error text). */
  failure?: string;
}

/** Output tokens guessed from characters, as the replay server estimates them (no tokenizer here). */
function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

/**
 * Forwards one request to the upstream and its answer back as it arrives, reading the usage on
 * the way. Backpressure is kept end to end (a slow client pauses the upstream), so a long stream
 * holds at most a socket buffer and one SSE line here. When the client goes away mid-answer the
 * upstream is read on, unwritten, for up to `drainTimeoutMs`: the API bills what it generated,
 * and only the final `message_delta` says how much that was.
 */
export function forwardMeteredRequest(options: ForwardOptions): Promise<ForwardOutcome> {
  const { req, res, target, metered } = options;
  return new Promise<ForwardOutcome>((resolve) => {
    const outcome: ForwardOutcome = { estimated: false, clientGone: false };
    const stream = createStreamUsageReader();
    let isStream = false;
    let json: Buffer[] | undefined;
    let jsonBytes = 0;
    let drainTimer: NodeJS.Timeout | undefined;
    let settled = false;
    let upstreamRes: IncomingMessage | undefined;

    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const upstreamReq = send(target, { method: req.method, headers: buildUpstreamHeaders(req.headers, options.credentials) });
    const untrack = options.track(upstreamReq);

    function finish(): void {
      if (settled) return;
      settled = true;
      clearTimeout(drainTimer);
      untrack();
      if (metered && outcome.status !== undefined && outcome.status < 300) readUsage();
      resolve(outcome);
    }

    function readUsage(): void {
      if (isStream) {
        const seen = stream.result();
        if (!seen.started) return;
        outcome.model = seen.model;
        outcome.usage = readApiUsage(seen.usage);
        if (!seen.finished) {
          outcome.estimated = true;
          outcome.usage.output = Math.max(outcome.usage.output, estimateTokens(seen.generatedChars));
        }
        return;
      }
      try {
        const body = JSON.parse(Buffer.concat(json ?? []).toString('utf8')) as { model?: unknown; usage?: unknown };
        outcome.model = typeof body.model === 'string' ? body.model : undefined;
        outcome.usage = readApiUsage(body.usage);
      } catch {
        // A 2xx answer cut short was still paid for: guess from the bytes each way, on the high side.
        outcome.estimated = true;
        outcome.usage = { ...readApiUsage(undefined), input: estimateTokens(options.body.length), output: estimateTokens(jsonBytes) };
      }
    }

    function onClientGone(): void {
      if (outcome.clientGone || res.writableFinished) return;
      outcome.clientGone = true;
      upstreamRes?.resume();
      drainTimer = setTimeout(() => {
        upstreamReq.destroy();
        finish();
      }, options.drainTimeoutMs);
      drainTimer.unref();
    }
    res.on('close', onClientGone);

    upstreamReq.setTimeout(options.idleTimeoutMs, () => {
      outcome.failure = `upstream silent for ${options.idleTimeoutMs} ms`;
      upstreamReq.destroy();
    });

    upstreamReq.on('error', (error) => {
      outcome.failure ??= error.message;
      if (!upstreamRes && !outcome.clientGone) {
        // A network failure the SDK should retry, as it would against the API itself.
        sendProxyError(res, {
          status: 502,
          type: 'api_error',
          message: `nx-agent-lanes: the proxy could not reach ${target.origin}: ${outcome.failure}`,
          retryable: true,
        });
      } else if (!res.writableFinished) {
        res.destroy();
      }
      finish();
    });

    upstreamReq.on('response', (response) => {
      upstreamRes = response;
      const status = response.statusCode ?? 502;
      outcome.status = status;
      const headers = buildClientHeaders(response.headers, options.secrets);
      if (status >= 300) return relayError(response, status, headers);
      isStream = String(response.headers['content-type'] ?? '').startsWith('text/event-stream');
      if (!isStream && metered) json = [];
      if (!outcome.clientGone) res.writeHead(status, headers);
      response.on('data', (chunk: Buffer) => {
        if (metered && isStream) stream.push(chunk);
        else if (json && jsonBytes + chunk.length <= MAX_JSON_BYTES) {
          json.push(chunk);
          jsonBytes += chunk.length;
        }
        if (outcome.clientGone || res.destroyed) return;
        if (!res.write(chunk)) {
          response.pause();
          res.once('drain', () => response.resume());
        }
      });
      response.on('end', () => {
        if (!outcome.clientGone) res.end();
        finish();
      });
      response.on('error', () => {
        outcome.failure ??= 'the upstream answer broke off';
        if (!res.writableFinished) res.destroy();
        finish();
      });
      response.on('close', () => {
        if (response.complete) return;
        outcome.failure ??= 'the upstream answer broke off';
        if (!res.writableFinished) res.destroy();
        finish();
      });
    });

    /** An error answer is small and read whole, so a credential it quotes can be taken out. */
    function relayError(response: IncomingMessage, status: number, headers: ReturnType<typeof buildClientHeaders>): void {
      const chunks: Buffer[] = [];
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        if (bytes >= MAX_ERROR_BYTES) return;
        chunks.push(chunk);
        bytes += chunk.length;
      });
      response.on('end', () => {
        if (!outcome.clientGone) {
          res.writeHead(status, headers);
          res.end(redactText(Buffer.concat(chunks).subarray(0, MAX_ERROR_BYTES).toString('utf8'), options.secrets));
        }
        finish();
      });
      response.on('error', () => {
        if (!res.writableFinished) res.destroy();
        finish();
      });
    }

    upstreamReq.end(options.body);
  });
}
