import type Anthropic from '@anthropic-ai/sdk';
import { buildTurnRequest, placeMessageBreakpoints, toContentParams } from './build-turn-request';

const user = (text: string): Anthropic.MessageParam => ({ role: 'user', content: [{ type: 'text', text }] });
const assistant = (text: string): Anthropic.MessageParam => ({ role: 'assistant', content: [{ type: 'text', text }] });

function countBreakpoints(request: Anthropic.MessageStreamParams): number {
  return (JSON.stringify(request).match(/"cache_control"/g) ?? []).length;
}

describe('buildTurnRequest', () => {
  const conversation = [user('task'), assistant('a1'), user('r1'), assistant('a2'), user('r2')];

  it('marks the last tool, the system prompt and the last two user messages: 4 breakpoints', () => {
    const request = buildTurnRequest({ model: 'm', maxTokens: 100, system: 'rules', messages: conversation });
    expect(countBreakpoints(request)).toBe(4);
    const tools = request.tools as Anthropic.Tool[];
    expect(tools[tools.length - 1].cache_control).toEqual({ type: 'ephemeral' });
    expect(tools.slice(0, -1).every((t) => t.cache_control === undefined)).toBe(true);
    expect(request.system).toEqual([{ type: 'text', text: 'rules', cache_control: { type: 'ephemeral' } }]);
    expect(request.messages[2].content).toEqual([{ type: 'text', text: 'r1', cache_control: { type: 'ephemeral' } }]);
    expect(request.messages[4].content).toEqual([{ type: 'text', text: 'r2', cache_control: { type: 'ephemeral' } }]);
    expect(request.messages[0]).toBe(conversation[0]);
  });

  it('sends byte-identical tools and system every turn, and never marks the stored conversation', () => {
    const first = buildTurnRequest({ model: 'm', maxTokens: 100, system: 'rules', messages: conversation.slice(0, 1) });
    const later = buildTurnRequest({ model: 'm', maxTokens: 100, system: 'rules', messages: conversation });
    expect(JSON.stringify(later.tools)).toBe(JSON.stringify(first.tools));
    expect(JSON.stringify(later.system)).toBe(JSON.stringify(first.system));
    expect(JSON.stringify(conversation)).not.toContain('cache_control');
    expect(countBreakpoints(first)).toBe(3);
  });

  it('marks the last block of a user message of several blocks, and string content too', () => {
    const marked = placeMessageBreakpoints([
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 't1', content: 'ok' },
          { type: 'tool_result', tool_use_id: 't2', content: 'ok' },
        ],
      },
      assistant('a'),
      { role: 'user', content: 'plain' },
      assistant('paused'),
    ]);
    expect(marked[0].content).toEqual([
      { type: 'tool_result', tool_use_id: 't1', content: 'ok' },
      { type: 'tool_result', tool_use_id: 't2', content: 'ok', cache_control: { type: 'ephemeral' } },
    ]);
    expect(marked[2].content).toEqual([{ type: 'text', text: 'plain', cache_control: { type: 'ephemeral' } }]);
    expect(marked[3]).toEqual(assistant('paused'));
  });

  it('never forces tool use, which the 5.5 models reject, and leaves thinking to the model', () => {
    const request = buildTurnRequest({ model: 'claude-sonnet-5-5', maxTokens: 100, system: 'rules', messages: conversation });
    expect(request).not.toHaveProperty('tool_choice');
    expect(request).not.toHaveProperty('thinking');
  });
});

describe('toContentParams', () => {
  it('sends thinking blocks back as they came, in order, and drops one the stream left unsigned', () => {
    const content = [
      { type: 'thinking', thinking: 'First the contract.', signature: 'sig-1' },
      { type: 'text', text: 'Reading.', citations: null },
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'tool_use', id: 't1', name: 'read_file', input: { path: 'contract.md' }, caller: { type: 'direct' } },
      { type: 'thinking', thinking: 'cut off', signature: '' },
    ] as unknown as Anthropic.ContentBlock[];
    expect(toContentParams(content)).toEqual([
      { type: 'thinking', thinking: 'First the contract.', signature: 'sig-1' },
      { type: 'text', text: 'Reading.' },
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'tool_use', id: 't1', name: 'read_file', input: { path: 'contract.md' } },
    ]);
  });
});
