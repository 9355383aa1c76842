import type { SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { describeThrown } from '../agents/claude-code/claude-code-provider';
import { decideCommandResult } from '../agents/command/decide-command-result';
import type { DecomposerResult } from './decompose-types';

export interface ClaudeDecomposeEnd {
  /** propose_plan said the session is over (accepted, or no round left). */
  proposed: boolean;
  /** The caller's signal ended the session. */
  interrupted: boolean;
  /** Claude Code's result message, when it sent one. */
  result?: SDKResultMessage;
  /** What query() threw, when it did. */
  thrown?: unknown;
  /** Claude Code's last stderr lines, oldest first. */
  stderrTail: readonly string[];
}

/**
 * How a Claude Code decompose session ended, as run-decompose reads it. Once propose_plan has
 * said the session is over, whatever ends it afterwards (the model's last turn, max turns, the
 * abort that stops it) is `finished`: the review already holds the verdict.
 */
export function decideClaudeDecomposeResult(end: ClaudeDecomposeEnd): DecomposerResult {
  if (end.proposed) return { status: 'finished' };
  if (end.interrupted) return { status: 'failed', reason: 'interrupted' };
  if (!end.result) {
    return { status: 'failed', reason: withStderr(`Claude Code did not finish: ${describeThrown(end.thrown ?? 'it ended without a result')}`, end.stderrTail) };
  }
  const decided = decideCommandResult({
    exitCode: 0,
    exitSignal: null,
    interrupted: false,
    lastStdoutLine: JSON.stringify(end.result),
    stderrTail: [...end.stderrTail],
  });
  if (decided.status === 'over-budget') return { status: 'over-budget', reason: decided.reason };
  if (decided.status === 'failed') return { status: 'failed', reason: decided.reason };
  return { status: 'finished' };
}

function withStderr(reason: string, tail: readonly string[]): string {
  const lines = tail.filter((line) => line.trim() !== '');
  return lines.length ? `${reason}\nLast lines of stderr:\n${lines.map((l) => `  ${l}`).join('\n')}` : reason;
}
