import type { Message, RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';

/** One server-sent event: the `event:` name and the JSON on its `data:` line. */
export interface SseEvent {
  event: string;
  data: unknown;
}

/** Splits text into a few pieces so clients see real incremental deltas. */
function splitIntoChunks(text: string, pieces: number): string[] {
  if (text === '') return [];
  const size = Math.max(1, Math.ceil(text.length / pieces));
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return chunks;
}

function streamEvent(data: RawMessageStreamEvent): SseEvent {
  return { event: data.type, data };
}

/**
 * The SSE events the Messages API sends for `message`, in its order: `message_start` (empty
 * content, provisional usage), per block `content_block_start` / `content_block_delta`* /
 * `content_block_stop` (with a `ping` after the first start, as the API does), then
 * `message_delta` (stop reason, final usage) and `message_stop`. Tool input arrives as
 * `input_json_delta` pieces of its JSON, which the SDK reassembles; a thinking block starts
 * empty, its text comes in `thinking_delta` pieces and its signature in one `signature_delta`
 * just before its stop.
 */
export function planStreamEvents(message: Message): SseEvent[] {
  const events: SseEvent[] = [
    streamEvent({
      type: 'message_start',
      message: {
        ...message,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...message.usage, output_tokens: Math.min(1, message.usage.output_tokens) },
      },
    }),
  ];
  message.content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push(streamEvent({ type: 'content_block_start', index, content_block: { ...block, text: '' } }));
      if (index === 0) events.push({ event: 'ping', data: { type: 'ping' } });
      for (const text of splitIntoChunks(block.text, 4)) {
        events.push(streamEvent({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } }));
      }
    } else if (block.type === 'thinking') {
      events.push(streamEvent({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
      if (index === 0) events.push({ event: 'ping', data: { type: 'ping' } });
      for (const thinking of splitIntoChunks(block.thinking, 3)) {
        events.push(streamEvent({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking } }));
      }
      events.push(streamEvent({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } }));
    } else if (block.type === 'tool_use') {
      events.push(streamEvent({ type: 'content_block_start', index, content_block: { ...block, input: {} } }));
      if (index === 0) events.push({ event: 'ping', data: { type: 'ping' } });
      for (const partial_json of splitIntoChunks(JSON.stringify(block.input), 3)) {
        events.push(
          streamEvent({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } }),
        );
      }
    }
    events.push(streamEvent({ type: 'content_block_stop', index }));
  });
  const { usage } = message;
  events.push(
    streamEvent({
      type: 'message_delta',
      delta: {
        stop_reason: message.stop_reason,
        stop_sequence: message.stop_sequence,
        stop_details: message.stop_details,
        container: message.container,
      },
      usage: {
        input_tokens: usage.input_tokens,
        output_tokens: usage.output_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens,
        cache_read_input_tokens: usage.cache_read_input_tokens,
        output_tokens_details: usage.output_tokens_details,
        server_tool_use: usage.server_tool_use,
      },
    }),
  );
  events.push(streamEvent({ type: 'message_stop' }));
  return events;
}

/** The wire form of one event. */
export function formatSseEvent(event: SseEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}
