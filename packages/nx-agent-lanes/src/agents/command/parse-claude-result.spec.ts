import { parseClaudeResult } from './parse-claude-result';

describe('parseClaudeResult', () => {
  it('reads turns, cost, usage, subtype and result text', () => {
    const line = JSON.stringify({
      type: 'result',
      subtype: 'success',
      is_error: false,
      num_turns: 7,
      total_cost_usd: 0.4213,
      result: 'Added the export route and its tests.',
      usage: { input_tokens: 1200, output_tokens: 800, cache_read_input_tokens: 30000, cache_creation_input_tokens: 5000 },
    });
    expect(parseClaudeResult(line)).toEqual({
      isError: false,
      subtype: 'success',
      result: 'Added the export route and its tests.',
      turns: 7,
      costUsd: 0.4213,
      usage: { input: 1200, output: 800, cacheRead: 30000, cacheWrite: 5000 },
      permissionDenials: [],
    });
  });

  it('reads is_error and falls back to zero for missing or invalid numbers', () => {
    expect(parseClaudeResult('{"type":"result","is_error":true,"num_turns":"3","cost_usd":0.1}')).toEqual({
      isError: true,
      subtype: undefined,
      result: undefined,
      turns: 0,
      costUsd: 0.1,
      usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
      permissionDenials: [],
    });
  });

  it('reads the result record out of the JSON array that --output-format json --verbose prints', () => {
    const line = JSON.stringify([
      { type: 'system', subtype: 'init' },
      { type: 'assistant', message: { content: [] } },
      { type: 'result', subtype: 'success', is_error: false, num_turns: 3, total_cost_usd: 0.16, result: 'done', usage: { input_tokens: 10, output_tokens: 20 } },
    ]);
    expect(parseClaudeResult(line)).toMatchObject({ isError: false, turns: 3, costUsd: 0.16, result: 'done', usage: { input: 10, output: 20, cacheRead: 0, cacheWrite: 0 } });
    expect(parseClaudeResult(JSON.stringify([{ type: 'assistant' }]))).toBeUndefined();
  });

  it('takes the tokens from modelUsage when usage is all zeros (a run stopped at --max-budget-usd), and reads permission denials and the API error status', () => {
    const line = JSON.stringify({
      type: 'result',
      subtype: 'error_max_budget_usd',
      is_error: true,
      num_turns: 3,
      total_cost_usd: 0.16,
      api_error_status: null,
      usage: { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
      modelUsage: {
        'claude-sonnet-4-6': { inputTokens: 100, outputTokens: 50, cacheReadInputTokens: 1000, cacheCreationInputTokens: 200, costUSD: 0.15 },
        'claude-haiku-4-5': { inputTokens: 10, outputTokens: 5, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, costUSD: 0.01 },
      },
      permission_denials: [
        { tool_name: 'Bash', tool_use_id: 't1', tool_input: { command: 'npx jest\n  --runInBand', description: 'run the tests' } },
        { tool_name: 'Write', tool_use_id: 't2', tool_input: {} },
        { tool_name: 'Edit', tool_use_id: 't3', tool_input: { file_path: '/etc/hosts', old_string: 'a', new_string: 'b' } },
        { tool_name: 'NotebookEdit', tool_input: { notebook_path: 'n.ipynb' } },
        { tool_name: 'WebFetch', tool_input: { url: 'https://example.com', prompt: 'read' } },
        { tool_name: 'Bash', tool_input: { command: `echo ${'x'.repeat(300)}` } },
        { tool_input: { command: 'ls' } },
        'Bash',
      ],
    });
    const record = parseClaudeResult(line)!;
    expect(record.usage).toEqual({ input: 110, output: 55, cacheRead: 1000, cacheWrite: 200 });
    expect(record.permissionDenials).toEqual([
      'Bash: npx jest --runInBand',
      'Write',
      'Edit: /etc/hosts',
      'NotebookEdit: n.ipynb',
      'WebFetch: https://example.com',
      `Bash: echo ${'x'.repeat(195)}…`,
      'a tool: ls',
      'a tool',
    ]);
    expect(record.apiErrorStatus).toBeUndefined();
    expect(parseClaudeResult(JSON.stringify({ type: 'result', is_error: true, api_error_status: 429 }))?.apiErrorStatus).toBe(429);
  });

  it('ignores lines that are not a result record', () => {
    expect(parseClaudeResult('All done.')).toBeUndefined();
    expect(parseClaudeResult('{"type":"assistant","message":{}}')).toBeUndefined();
    expect(parseClaudeResult('{"type":"result"')).toBeUndefined();
    expect(parseClaudeResult('["result"]')).toBeUndefined();
    expect(parseClaudeResult('[]')).toBeUndefined();
  });
});
