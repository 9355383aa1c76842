/**
 * Reads the usage out of a Messages API event stream as its bytes pass through the proxy, keeping
 * only the line being read: a long answer costs no memory here. The usage is the
 * `message_start.message.usage` with every non-null field of each `message_delta.usage` laid over
 * it (the delta's figures are cumulative, as the SDK's MessageStream takes them).
 */

/** A line longer than this is skipped unread: no usage-bearing event comes near it. */
export const MAX_SSE_LINE_BYTES = 1024 * 1024;

const NEWLINE = 0x0a;

export interface StreamUsage {
  /** `message_start.message.model`, when seen. */
  model?: string;
  /** The merged API usage object (snake_case, as the API sends it), empty until `message_start`. */
  usage: Record<string, unknown>;
  /** `message_start` arrived: the input side is known. */
  started: boolean;
  /** `message_delta` with usage arrived: the output side is final. */
  finished: boolean;
  /** An SSE `error` event arrived (the SDK turns it into an APIError without a status). */
  errored: boolean;
  /** Characters of generated text, tool input and thinking seen, to estimate output when the stream broke off. */
  generatedChars: number;
  /** Lines longer than MAX_SSE_LINE_BYTES, skipped. */
  skippedLines: number;
}

export interface StreamUsageReader {
  push(chunk: Buffer): void;
  result(): StreamUsage;
  /** Bytes held for the line being read: at most MAX_SSE_LINE_BYTES. */
  bufferedBytes(): number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deltaChars(delta: unknown): number {
  if (!isRecord(delta)) return 0;
  for (const key of ['text', 'partial_json', 'thinking']) {
    if (typeof delta[key] === 'string') return (delta[key] as string).length;
  }
  return 0;
}

export function createStreamUsageReader(options: { maxLineBytes?: number } = {}): StreamUsageReader {
  const maxLineBytes = options.maxLineBytes ?? MAX_SSE_LINE_BYTES;
  const state: StreamUsage = { usage: {}, started: false, finished: false, errored: false, generatedChars: 0, skippedLines: 0 };
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false;
  let eventName: string | undefined;
  let data: string[] = [];

  function dispatch(): void {
    if (data.length === 0) {
      eventName = undefined;
      return;
    }
    const text = data.join('\n');
    const name = eventName;
    eventName = undefined;
    data = [];
    if (name === 'ping') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    if (!isRecord(parsed)) return;
    const type = name ?? parsed.type;
    if (type === 'error') state.errored = true;
    else if (type === 'message_start' && isRecord(parsed.message)) {
      const message = parsed.message;
      state.started = true;
      if (typeof message.model === 'string') state.model = message.model;
      if (isRecord(message.usage)) state.usage = { ...message.usage };
    } else if (type === 'message_delta' && isRecord(parsed.usage)) {
      state.finished = true;
      for (const [key, value] of Object.entries(parsed.usage)) if (value != null) state.usage[key] = value;
    } else if (type === 'content_block_delta') {
      state.generatedChars += deltaChars(parsed.delta);
    }
  }

  function readLine(line: string): void {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text === '') return dispatch();
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    const value = colon < 0 ? '' : text.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') eventName = value;
    else if (field === 'data') data.push(value);
  }

  function take(piece: Buffer): void {
    if (skipping) return;
    if (pendingBytes + piece.length > maxLineBytes) {
      skipping = true;
      pending = [];
      pendingBytes = 0;
      state.skippedLines++;
      return;
    }
    pending.push(piece);
    pendingBytes += piece.length;
  }

  return {
    push(chunk) {
      let start = 0;
      for (let end = chunk.indexOf(NEWLINE, start); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
        take(chunk.subarray(start, end));
        // Joined as bytes first, so a character split across two chunks decodes whole.
        if (!skipping) readLine(Buffer.concat(pending, pendingBytes).toString('utf8'));
        skipping = false;
        pending = [];
        pendingBytes = 0;
        start = end + 1;
      }
      if (start < chunk.length) take(chunk.subarray(start));
    },
    result: () => structuredClone(state),
    bufferedBytes: () => pendingBytes,
  };
}
