import { summarizeClaudeEvent } from './summarize-claude-event';

describe('summarizeClaudeEvent', () => {
  const line = (event: unknown) => JSON.stringify(event);

  it('gives one short line for the session start, tool calls and text, and drops tool results and the result record', () => {
    expect(summarizeClaudeEvent(line({ type: 'system', subtype: 'init', claude_code_version: '2.1.332', model: 'claude-sonnet-5-5', tools: ['Bash'] }))).toBe(
      'Claude Code 2.1.332 started with claude-sonnet-5-5',
    );
    const write = { type: 'tool_use', name: 'Write', input: { file_path: 'apps/x.ts', content: 'x'.repeat(5000) } };
    const bash = { type: 'tool_use', name: 'Bash', input: { command: 'node tools/check.js', description: 'test' } };
    expect(summarizeClaudeEvent(line({ type: 'assistant', message: { content: [{ type: 'text', text: 'Writing\nnow' }, write, bash] } }))).toBe(
      'Writing now · Write apps/x.ts · Bash node tools/check.js',
    );
    expect(summarizeClaudeEvent(line({ type: 'assistant', message: { content: [{ type: 'thinking', thinking: 'hmm' }] } }))).toBeNull();
    expect(summarizeClaudeEvent(line({ type: 'user', message: { content: [{ type: 'tool_result', content: 'ok' }] } }))).toBeNull();
    expect(summarizeClaudeEvent(line({ type: 'result', subtype: 'success', is_error: false }))).toBeNull();
  });

  it('names a tool error with its text', () => {
    const event = { type: 'user', message: { content: [{ type: 'tool_result', is_error: true, content: [{ type: 'text', text: 'This command requires approval' }] }] } };
    expect(summarizeClaudeEvent(line(event))).toBe('tool error: This command requires approval');
  });

  it('leaves any other line to be logged as it is', () => {
    expect(summarizeClaudeEvent('plain output')).toBeUndefined();
    expect(summarizeClaudeEvent('{"type": broken')).toBeUndefined();
    expect(summarizeClaudeEvent('{"other":1}')).toBeUndefined();
  });
});
