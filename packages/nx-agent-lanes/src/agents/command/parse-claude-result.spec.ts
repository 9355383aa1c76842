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
    });
  });

  it('ignores lines that are not a result record', () => {
    expect(parseClaudeResult('All done.')).toBeUndefined();
    expect(parseClaudeResult('{"type":"assistant","message":{}}')).toBeUndefined();
    expect(parseClaudeResult('{"type":"result"')).toBeUndefined();
    expect(parseClaudeResult('["result"]')).toBeUndefined();
  });
});
