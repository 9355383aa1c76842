import { assembleStreamedMessage, parseSseText } from './assemble-streamed-message';
import { buildMessage } from './build-message';
import { buildReplayScript, matchByDistinctiveLine } from './build-replay-script';
import { formatSseEvent, planStreamEvents } from './plan-stream-events';

const usage = { input_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 } };

describe('assembleStreamedMessage', () => {
  it('rebuilds the message the stream events describe', () => {
    const message = buildMessage({
      sessionName: 's',
      turnIndex: 2,
      turn: { content: [{ type: 'text', text: 'Reading the contract now.' }, { type: 'tool_use', name: 'read', input: { path: 'a "b"\n' } }] },
      model: 'm',
      inputUsage: usage,
    });
    const wire = planStreamEvents(message).map(formatSseEvent).join('');
    expect(wire).toContain('event: ping');
    const assembled = assembleStreamedMessage(parseSseText(wire));
    expect(assembled?.content).toEqual(message.content);
    expect(assembled?.stop_reason).toBe('tool_use');
    expect(assembled?.usage.output_tokens).toBe(message.usage.output_tokens);
  });

  it('gives nothing for a stream that broke off', () => {
    const message = buildMessage({ sessionName: 's', turnIndex: 0, turn: { content: [{ type: 'text', text: 'x' }] }, model: 'm', inputUsage: usage });
    const events = planStreamEvents(message);
    expect(assembleStreamedMessage(events.slice(0, -1))).toBeUndefined();
    expect(assembleStreamedMessage([...events.slice(0, 2), { event: 'error', data: {} }])).toBeUndefined();
  });
});

describe('buildReplayScript', () => {
  const request = (system: string, first: string, assistantTurns = 0) => ({
    model: 'm',
    system,
    messages: [
      { role: 'user', content: first },
      ...Array.from({ length: assistantTurns }, (_, i) => [
        { role: 'assistant', content: `turn ${i}` },
        { role: 'user', content: 'go on' },
      ]).flat(),
    ],
  });
  const answer = (text: string) => ({ content: [{ type: 'text' as const, text }] });

  it('groups by conversation, orders turns, and lets a retry win', () => {
    const script = buildReplayScript({
      exchanges: [
        { request: request('Agent', 'Lane: api\nShared footer text'), response: answer('api 0') },
        { request: request('Agent', 'Lane: web\nShared footer text'), response: answer('web 0') },
        { request: request('Agent', 'Lane: api\nShared footer text', 1), response: answer('api 1 first try') },
        { request: request('Agent', 'Lane: api\nShared footer text', 1), response: answer('api 1') },
      ],
    });
    expect(script.sessions.map((s) => [s.name, s.match, s.turns.map((t) => (t.content[0] as { text: string }).text)])).toEqual([
      ['session-1', { contains: 'Lane: api' }, ['api 0', 'api 1']],
      ['session-2', { contains: 'Lane: web' }, ['web 0']],
    ]);
  });

  it('falls back to the whole texts when no line is distinctive, and accepts a custom matchBy', () => {
    const conversation = { systemText: 'Agent', firstUserText: 'Do it', texts: ['Agent\nDo it'] };
    expect(matchByDistinctiveLine(conversation, [{ ...conversation, texts: ['Agent\nDo it twice'] }])).toEqual({ contains: ['Agent', 'Do it'] });
    const script = buildReplayScript({
      exchanges: [{ request: request('Agent', 'Do it'), response: answer('ok') }],
      matchBy: (c) => ({ contains: c.firstUserText, notContains: 'DRAFT' }),
    });
    expect(script.sessions[0].match).toEqual({ contains: 'Do it', notContains: 'DRAFT' });
  });
});
