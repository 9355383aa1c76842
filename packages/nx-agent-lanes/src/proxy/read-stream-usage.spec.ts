import { createStreamUsageReader } from './read-stream-usage';

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

const start = {
  type: 'message_start',
  message: {
    id: 'msg_1', model: 'claude-sonnet-4-6', content: [],
    usage: { input_tokens: 12, output_tokens: 1, cache_read_input_tokens: 100, cache_creation_input_tokens: 50, cache_creation: { ephemeral_5m_input_tokens: 20, ephemeral_1h_input_tokens: 30 } },
  },
};
const text = (t: string) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } });
const delta = { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 42, input_tokens: 12, cache_read_input_tokens: null } };

const body =
  sse('message_start', start) +
  sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }) +
  sse('ping', { type: 'ping' }) +
  sse('content_block_delta', text('Héllo, ')) +
  sse('content_block_delta', text('wörld')) +
  sse('content_block_stop', { type: 'content_block_stop', index: 0 }) +
  sse('message_delta', delta) +
  sse('message_stop', { type: 'message_stop' });

describe('createStreamUsageReader', () => {
  it('merges message_start usage with the non-null fields of message_delta', () => {
    const reader = createStreamUsageReader();
    reader.push(Buffer.from(body));
    expect(reader.result()).toEqual({
      model: 'claude-sonnet-4-6',
      usage: { ...start.message.usage, output_tokens: 42 },
      started: true,
      finished: true,
      errored: false,
      generatedChars: 'Héllo, wörld'.length,
      skippedLines: 0,
    });
  });

  it('counts thinking text as generated, not its signature, and keeps the 1-hour cache split of a 5.5 answer', () => {
    const block = (delta: Record<string, unknown>) => sse('content_block_delta', { type: 'content_block_delta', index: 0, delta });
    const reader = createStreamUsageReader();
    reader.push(Buffer.from(
      sse('message_start', { ...start, message: { ...start.message, model: 'claude-sonnet-5-5' } }) +
        sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }) +
        block({ type: 'thinking_delta', thinking: 'Tests next.' }) +
        block({ type: 'signature_delta', signature: 'x'.repeat(500) }) +
        sse('content_block_stop', { type: 'content_block_stop', index: 0 }) +
        sse('message_delta', delta),
    ));
    expect(reader.result()).toMatchObject({
      model: 'claude-sonnet-5-5',
      generatedChars: 'Tests next.'.length,
      usage: { cache_creation_input_tokens: 50, cache_creation: { ephemeral_5m_input_tokens: 20, ephemeral_1h_input_tokens: 30 }, output_tokens: 42 },
    });
  });

  it('reads the same whatever the chunking, characters split across chunks included', () => {
    const bytes = Buffer.from(body);
    const whole = createStreamUsageReader();
    whole.push(bytes);
    for (const size of [1, 2, 3, 7, 64]) {
      const reader = createStreamUsageReader();
      for (let i = 0; i < bytes.length; i += size) reader.push(bytes.subarray(i, i + size));
      expect(reader.result()).toEqual(whole.result());
    }
  });

  it('reads CRLF lines and data-only events by their type field', () => {
    const reader = createStreamUsageReader();
    reader.push(Buffer.from(`data: ${JSON.stringify(start)}\r\n\r\n: a comment\r\ndata: ${JSON.stringify(delta)}\r\n\r\n`));
    expect(reader.result()).toMatchObject({ started: true, finished: true, usage: { input_tokens: 12, output_tokens: 42 } });
  });

  it('marks an SSE error event and a stream cut before its final usage', () => {
    const reader = createStreamUsageReader();
    reader.push(Buffer.from(sse('message_start', start) + sse('error', { type: 'error', error: { type: 'overloaded_error', message: 'x' } })));
    expect(reader.result()).toMatchObject({ started: true, finished: false, errored: true, usage: { output_tokens: 1 } });
  });

  it('holds at most one line, and skips a line past its limit without losing the events after it', () => {
    const reader = createStreamUsageReader({ maxLineBytes: 1024 });
    reader.push(Buffer.from(sse('message_start', start)));
    const huge = Buffer.from(sse('content_block_delta', text('x'.repeat(100_000))));
    let most = 0;
    for (let i = 0; i < huge.length; i += 500) {
      reader.push(huge.subarray(i, i + 500));
      most = Math.max(most, reader.bufferedBytes());
    }
    reader.push(Buffer.from(sse('message_delta', delta)));
    expect(most).toBeLessThanOrEqual(1024);
    expect(reader.result()).toMatchObject({ finished: true, skippedLines: 1, usage: { output_tokens: 42 } });
  });
});
