import { CommandOutcome, decideCommandResult } from './decide-command-result';

const zero = { turns: 0, usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, costUsd: 0 };

function outcome(overrides: Partial<CommandOutcome> = {}): CommandOutcome {
  return { exitCode: 0, exitSignal: null, interrupted: false, stderrTail: [], ...overrides };
}

function record(fields: Record<string, unknown>): string {
  return JSON.stringify({ type: 'result', num_turns: 4, total_cost_usd: 0.25, usage: { input_tokens: 10, output_tokens: 20 }, ...fields });
}

describe('decideCommandResult', () => {
  it('is done on exit 0 without a blocker, with zero usage when no record was printed', () => {
    expect(decideCommandResult(outcome({ lastStdoutLine: 'finished' }))).toEqual({ status: 'done', summary: undefined, ...zero });
  });

  it('is blocked when the blocker file has text after exit 0', () => {
    expect(decideCommandResult(outcome({ blocker: '  UTC or local time?\n' }))).toMatchObject({
      status: 'blocked',
      question: 'UTC or local time?',
    });
    expect(decideCommandResult(outcome({ blocker: ' \n' })).status).toBe('done');
  });

  it('fails on a non-zero exit, with the stderr tail in the reason', () => {
    const result = decideCommandResult(outcome({ exitCode: 3, blocker: 'ignored?', stderrTail: ['boom', '', 'at line 2'] }));
    expect(result.status).toBe('failed');
    expect(result.reason).toBe('the agent command exited with code 3\nLast lines of stderr:\n  boom\n  at line 2');
  });

  it('explains the shell codes and signals', () => {
    expect(decideCommandResult(outcome({ exitCode: 127 })).reason).toBe('the agent command exited with code 127 (command not found)');
    expect(decideCommandResult(outcome({ exitCode: null, exitSignal: 'SIGKILL' })).reason).toBe('the agent command was killed by SIGKILL');
  });

  it('takes usage, turns, cost and summary from a Claude Code result record', () => {
    const result = decideCommandResult(outcome({ lastStdoutLine: record({ subtype: 'success', is_error: false, result: 'All green.' }) }));
    expect(result).toEqual({
      status: 'done',
      summary: 'All green.',
      turns: 4,
      costUsd: 0.25,
      usage: { input: 10, output: 20, cacheRead: 0, cacheWrite: 0 },
    });
  });

  it('carries the permission denials of the record into the result, whatever the status', () => {
    const denials = [{ tool_name: 'Write', tool_input: { file_path: '/outside.txt' } }];
    expect(decideCommandResult(outcome({ lastStdoutLine: record({ subtype: 'success', permission_denials: denials }) })).permissionDenials).toEqual(['Write: /outside.txt']);
    expect(decideCommandResult(outcome({ blocker: 'Why?', lastStdoutLine: record({ permission_denials: denials }) }))).toMatchObject({ status: 'blocked', permissionDenials: ['Write: /outside.txt'] });
    expect(decideCommandResult(outcome({ lastStdoutLine: record({ permission_denials: [] }) }))).not.toHaveProperty('permissionDenials');
  });

  it('fails on is_error even when the exit code is 0', () => {
    const result = decideCommandResult(
      outcome({ lastStdoutLine: record({ subtype: 'error_during_execution', is_error: true, result: 'API error\nmore' }) }),
    );
    expect(result).toMatchObject({ status: 'failed', turns: 4, costUsd: 0.25 });
    expect(result.reason).toBe('the agent reported an error (error_during_execution): API error');
  });

  it('is over-budget when Claude Code stopped at its budget or turn limit', () => {
    const budget = decideCommandResult(outcome({ exitCode: 1, lastStdoutLine: record({ subtype: 'error_max_budget_usd', is_error: true }) }));
    expect(budget).toMatchObject({ status: 'over-budget', costUsd: 0.25 });
    expect(budget.reason).toContain('error_max_budget_usd');
    expect(decideCommandResult(outcome({ lastStdoutLine: record({ subtype: 'error_max_turns', is_error: true }) })).status).toBe(
      'over-budget',
    );
  });

  it('reports interruption and timeout before anything else, keeping the usage seen', () => {
    const line = record({ subtype: 'success', is_error: false });
    expect(decideCommandResult(outcome({ interrupted: true, exitCode: null, exitSignal: 'SIGTERM', lastStdoutLine: line }))).toMatchObject({
      status: 'failed',
      reason: 'interrupted',
      costUsd: 0.25,
    });
    expect(decideCommandResult(outcome({ timedOutAfterMinutes: 30, exitCode: null, exitSignal: 'SIGTERM' })).reason).toBe(
      'timed out after 30 minutes',
    );
    expect(decideCommandResult(outcome({ timedOutAfterMinutes: 1, exitCode: 0 })).reason).toBe('timed out after 1 minute');
  });

  it('names an API error by its HTTP status, not by the subtype success Claude Code gives it', () => {
    const record = JSON.stringify({ type: 'result', subtype: 'success', is_error: true, api_error_status: 529, result: 'API Error: overloaded', num_turns: 2 });
    const result = decideCommandResult({ exitCode: 1, exitSignal: null, interrupted: false, lastStdoutLine: record, stderrTail: [] });
    expect(result.status).toBe('failed');
    expect(result.reason).toBe('the agent command exited with code 1; the agent reported an API error (HTTP 529): API Error: overloaded');
  });
});
