import { AgentRunResult, createZeroUsage } from '../provider';
import { parseClaudeResult } from './parse-claude-result';

/** How a command agent's process ended, as observed; everything the verdict depends on. */
export interface CommandOutcome {
  /** Exit code, or null when a signal ended the process. */
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  /** Set when the wall-clock limit killed the process: the limit, in minutes. */
  timedOutAfterMinutes?: number;
  /** The caller's abort signal killed the process. */
  interrupted: boolean;
  /** Text of the blocker file after exit, when it exists. */
  blocker?: string;
  /** Last non-empty stdout line: may be a Claude Code result record. */
  lastStdoutLine?: string;
  /** Last lines of stderr, oldest first. */
  stderrTail: string[];
}

/**
 * Claude Code subtypes meaning "stopped at a limit the plan set", reported as `over-budget`
 * rather than `failed` so the report says what to raise. `error_max_turns` counts: the plan's
 * `maxTurns` is a budget like `budgetUsd` is.
 */
const OVER_BUDGET_SUBTYPES = new Set(['error_max_budget_usd', 'error_max_turns']);

/** Turns the observed end of a command agent into the lane's result, per the command protocol. */
export function decideCommandResult(outcome: CommandOutcome): AgentRunResult {
  const record = outcome.lastStdoutLine === undefined ? undefined : parseClaudeResult(outcome.lastStdoutLine);
  const accounting = {
    turns: record?.turns ?? 0,
    usage: record?.usage ?? createZeroUsage(),
    costUsd: record?.costUsd ?? 0,
    ...(record?.permissionDenials.length ? { permissionDenials: record.permissionDenials } : {}),
  };
  if (outcome.interrupted) return { status: 'failed', reason: 'interrupted', ...accounting };
  if (outcome.timedOutAfterMinutes !== undefined) {
    const minutes = outcome.timedOutAfterMinutes;
    return { status: 'failed', reason: `timed out after ${minutes} minute${minutes === 1 ? '' : 's'}`, ...accounting };
  }
  if (record?.subtype !== undefined && OVER_BUDGET_SUBTYPES.has(record.subtype)) {
    return {
      status: 'over-budget',
      reason: `the agent stopped at its limit (${record.subtype}) after ${record.turns} turns, $${record.costUsd.toFixed(2)}`,
      ...accounting,
    };
  }
  const problems = describeProblems(outcome, record);
  if (problems.length > 0) {
    return { status: 'failed', reason: withStderrTail(problems.join('; '), outcome.stderrTail), ...accounting };
  }
  const question = outcome.blocker?.trim();
  if (question) return { status: 'blocked', question, summary: record?.result, ...accounting };
  return { status: 'done', summary: record?.result, ...accounting };
}

function describeProblems(outcome: CommandOutcome, record: ReturnType<typeof parseClaudeResult>): string[] {
  const problems: string[] = [];
  if (outcome.exitSignal !== null) problems.push(`the agent command was killed by ${outcome.exitSignal}`);
  else if (outcome.exitCode !== 0) problems.push(`the agent command exited with code ${outcome.exitCode}${explainExitCode(outcome.exitCode)}`);
  if (record?.isError) {
    const detail = record.result?.trim() ? `: ${firstLine(record.result)}` : '';
    // An API error ends the run with subtype `success`: the status says what happened.
    const what =
      record.apiErrorStatus !== undefined
        ? `an API error (HTTP ${record.apiErrorStatus})`
        : `an error${record.subtype && record.subtype !== 'success' ? ` (${record.subtype})` : ''}`;
    problems.push(`the agent reported ${what}${detail}`);
  }
  return problems;
}

/** The shell's own codes, which otherwise read like the agent's. */
function explainExitCode(code: number | null): string {
  if (code === 127) return ' (command not found)';
  if (code === 126) return ' (command not executable)';
  return '';
}

function withStderrTail(reason: string, tail: string[]): string {
  const lines = tail.filter((line) => line.trim() !== '');
  return lines.length === 0 ? reason : `${reason}\nLast lines of stderr:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0];
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
