import type { SseEvent } from './plan-stream-events';

/** Parses a complete `text/event-stream` body into its events; `data` is JSON when it parses, else the raw text. */
export function parseSseText(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const chunk of text.split(/\r?\n\r?\n/)) {
    let name: string | undefined;
    const data: string[] = [];
    for (const line of chunk.split(/\r?\n/)) {
      if (line.startsWith('event:')) name = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (name === undefined && data.length === 0) continue;
    const raw = data.join('\n');
    let parsed: unknown = raw;
    try {
      parsed = JSON.parse(raw);
    } catch {
      // Not JSON: keep the text, as the SDK does for its error messages.
    }
    events.push({ event: name ?? 'message', data: parsed });
  }
  return events;
}

/** The parts of a finished Message that a replay script keeps. */
export interface AssembledMessage {
  content: Array<Record<string, unknown>>;
  stop_reason: string | null;
  usage: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Folds stream events into the final message, the way the SDK's MessageStream does for the
 * block types a script can hold (text, thinking, tool_use); other blocks are kept as they started.
 * Returns undefined for a stream that broke off (an `error` event or no `message_stop`).
 */
export function assembleStreamedMessage(events: SseEvent[]): AssembledMessage | undefined {
  let message: AssembledMessage | undefined;
  const partialJson = new Map<number, string>();
  let stopped = false;
  for (const { event, data } of events) {
    if (event === 'error') return undefined;
    if (!isRecord(data)) continue;
    if (data.type === 'message_start' && isRecord(data.message)) {
      const start = data.message;
      message = { content: [], stop_reason: null, usage: { ...(isRecord(start.usage) ? start.usage : {}) } };
    } else if (!message) {
      continue;
    } else if (data.type === 'content_block_start' && isRecord(data.content_block)) {
      message.content[data.index as number] = { ...data.content_block };
    } else if (data.type === 'content_block_delta' && isRecord(data.delta)) {
      const index = data.index as number;
      const block = message.content[index];
      if (data.delta.type === 'text_delta' && block?.type === 'text') {
        block.text = String(block.text ?? '') + String(data.delta.text);
      } else if (data.delta.type === 'thinking_delta' && block?.type === 'thinking') {
        block.thinking = String(block.thinking ?? '') + String(data.delta.thinking);
      } else if (data.delta.type === 'signature_delta' && block?.type === 'thinking') {
        block.signature = String(data.delta.signature);
      } else if (data.delta.type === 'input_json_delta') {
        partialJson.set(index, (partialJson.get(index) ?? '') + String(data.delta.partial_json));
      }
    } else if (data.type === 'content_block_stop') {
      const index = data.index as number;
      const json = partialJson.get(index);
      if (json !== undefined && message.content[index]) message.content[index].input = json === '' ? {} : JSON.parse(json);
    } else if (data.type === 'message_delta') {
      if (isRecord(data.delta)) message.stop_reason = (data.delta.stop_reason as string | null) ?? null;
      if (isRecord(data.usage)) {
        for (const [key, value] of Object.entries(data.usage)) if (value != null) message.usage[key] = value;
      }
    } else if (data.type === 'message_stop') {
      stopped = true;
    }
  }
  return stopped ? message : undefined;
}
