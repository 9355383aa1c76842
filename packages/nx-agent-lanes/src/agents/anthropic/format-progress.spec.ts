import { formatRetryLine, formatTokens, formatTurnLine, formatUsd, truncateForTranscript } from './format-progress';

describe('progress lines', () => {
  it('formats a turn with its tool calls, tokens and spend', () => {
    expect(
      formatTurnLine({
        turn: 3,
        maxTurns: 40,
        calls: [{ name: 'write_file', input: { path: 'apps/x.ts', content: '...' } }, { name: 'run_tests', input: {} }],
        stopReason: 'tool_use',
        usage: { input: 100, cacheRead: 900, cacheWrite: 200, output: 340 },
        spentUsd: 0.0123,
        budgetUsd: 2,
      }),
    ).toBe('turn 3/40 · 2 tool calls (write_file apps/x.ts, run_tests) · in 1.2k (cache read 900) out 340 · $0.0123 of $2.00');
  });

  it('formats a turn without tools, and a retry', () => {
    const usage = { input: 5, cacheRead: 0, cacheWrite: 0, output: 7 };
    expect(formatTurnLine({ turn: 1, maxTurns: 2, calls: [], stopReason: 'end_turn', usage, spentUsd: 0.5, budgetUsd: 1 })).toBe(
      'turn 1/2 · stop: end_turn · in 5 (cache read 0) out 7 · $0.50 of $1.00',
    );
    expect(formatRetryLine({ turn: 2, maxTurns: 40, attempt: 1, maxAttempts: 4, delayMs: 1000, reason: '529 overloaded_error: Overloaded' })).toBe(
      'turn 2/40 · retry 1/3 in 1 s: 529 overloaded_error: Overloaded',
    );
  });

  it('adds a one-line excerpt of the turn\'s thinking', () => {
    const base = { turn: 2, maxTurns: 40, calls: [{ name: 'run_tests', input: {} }], stopReason: 'tool_use', usage: { input: 5, cacheRead: 0, cacheWrite: 0, output: 7 }, spentUsd: 0.5, budgetUsd: 1 };
    expect(formatTurnLine({ ...base, thinking: 'Tests next.' })).toBe('turn 2/40 · 1 tool call (run_tests) · in 5 (cache read 0) out 7 · $0.50 of $1.00 · thinking: "Tests next."');
    const long = formatTurnLine({ ...base, thinking: `The   contract\nsays CSV. ${'and more '.repeat(20)}` });
    expect(long).toMatch(/ · thinking: "The contract says CSV\. and more and more .{0,40}…"$/);
    expect(long.split(' · thinking: ')[1].length).toBeLessThanOrEqual(62);
    expect(formatTurnLine({ ...base, thinking: '  ' })).not.toContain('thinking');
  });

  it('rounds tokens and dollars for reading', () => {
    expect([formatTokens(999), formatTokens(1234), formatTokens(2_500_000)]).toEqual(['999', '1.2k', '2.5M']);
    expect([formatUsd(0), formatUsd(0.01234), formatUsd(12.345)]).toEqual(['$0.00', '$0.0123', '$12.35']);
  });

  it('cuts long strings in transcript events, at any depth', () => {
    const cut = truncateForTranscript({ input: { content: 'x'.repeat(2500) }, list: ['short'] }) as { input: { content: string }; list: string[] };
    expect(cut.input.content).toBe(`${'x'.repeat(2000)}… [500 more chars]`);
    expect(cut.list).toEqual(['short']);
  });
});
