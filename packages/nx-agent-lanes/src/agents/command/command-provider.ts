import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError } from '../../errors';
import { DEFAULT_LIMITS } from '../../feature/read-limits';
import type { AgentProviderImpl, AgentRunInput, AgentRunResult } from '../provider';
import { decideCommandResult } from './decide-command-result';
import { summarizeClaudeEvent } from './summarize-claude-event';

export interface CommandProviderOptions {
  /** Time a stopped agent gets between SIGTERM and SIGKILL. Default 5 seconds. */
  killGraceMs?: number;
}

/** A log line is for a person; the transcript keeps the whole line (up to the output cap). */
const MAX_LOG_LINE = 2000;

/**
 * The `command` provider: any agent CLI (`claude -p`, aider, codex, a script), run through
 * the shell in the lane's worktree, speaking the protocol in PRODUCT.md (prompt on stdin and
 * in LANE_PROMPT_FILE, blocker in LANE_BLOCKER_FILE, non-zero exit = failed).
 */
export function createCommandProvider(options: CommandProviderOptions = {}): AgentProviderImpl {
  return { name: 'command', run: (input) => runCommandAgent(input, options) };
}

export const commandProvider: AgentProviderImpl = createCommandProvider();

async function runCommandAgent(input: AgentRunInput, options: CommandProviderOptions): Promise<AgentRunResult> {
  const command = input.agent.command?.trim();
  if (!command) {
    throw new AgentError(`Lane "${input.lane}" uses the command provider but has no agent command.`, {
      hint: 'Set "agent": { "provider": "command", "command": "<the agent CLI>" } in feature.jsonc; README\'s command provider section gives a tested claude -p line.',
    });
  }
  if (input.signal.aborted) {
    input.log(`interrupted before the agent started`);
    return decideCommandResult({ exitCode: null, exitSignal: null, interrupted: true, stderrTail: [] });
  }
  const promptFile = join(input.scratchDir, 'prompt.md');
  // In the working directory, where an agent allowed to edit its files may write (Claude Code
  // refuses a path outside it); read and removed after exit, so it is never part of the patch. A
  // checkout that already has a file of that name keeps it, and the blocker goes to scratch.
  const inWorktree = join(input.worktree, BLOCKER_FILE_NAME);
  const blockerFile = existsSync(inWorktree) ? join(input.scratchDir, 'blocker.txt') : inWorktree;
  await mkdir(input.scratchDir, { recursive: true });
  const prompt = `${input.prompt.full.trimEnd()}\n\n${describeBlockerFile(blockerFile)}\n`;
  await writeFile(promptFile, prompt, 'utf8');
  // A blocker left by an earlier run in the same scratch dir must not block this one.
  if (blockerFile !== inWorktree) await rm(blockerFile, { force: true });

  const timeoutMinutes = input.agent.timeoutMinutes > 0 ? input.agent.timeoutMinutes : undefined;
  input.log(`running the agent command: ${command}`);
  input.transcript({ type: 'agent-start', provider: 'command', command, cwd: input.worktree, promptFile });

  // Lines arrive redacted (the runner's redactor sees the stream before any cut), so shortening
  // them here cannot leave part of a secret behind. Past limits.outputBytes the runner drops the
  // rest with one marker line, and still reads the closing lines that decide the lane.
  const onLine = (line: string, stream: 'stdout' | 'stderr'): void => {
    // stream-json events read as one short line each; the transcript keeps them whole.
    const summary = stream === 'stdout' ? summarizeClaudeEvent(line) : undefined;
    if (summary !== null) input.log(truncateForLog(summary ?? line));
    input.transcript({ type: 'output', stream, line });
  };

  let exit;
  try {
    exit = await input.runProcess({
      command,
      cwd: input.worktree,
      env: {
        ...input.env,
        LANE_FEATURE: input.feature,
        LANE_NAME: input.lane,
        LANE_PROMPT_FILE: promptFile,
        LANE_BLOCKER_FILE: blockerFile,
        LANE_TEST_COMMAND: input.testCommand,
        // The plan's limits, for a CLI that takes them (claude -p --max-budget-usd "$LANE_BUDGET_USD");
        // the metering proxy enforces them either way.
        LANE_BUDGET_USD: String(input.agent.budgetUsd),
        LANE_MAX_TURNS: String(input.agent.maxTurns),
      },
      stdin: prompt,
      onSpawn: input.onProcessGroup,
      onLine,
      outputCapBytes: input.limits?.outputBytes ?? DEFAULT_LIMITS.outputBytes,
      timeoutMs: timeoutMinutes === undefined ? undefined : timeoutMinutes * 60_000,
      signal: input.signal,
      killGraceMs: options.killGraceMs ?? 5000,
    });
  } catch (error) {
    throw new AgentError(`Could not start the agent command of lane "${input.lane}" in ${input.worktree}.`, {
      hint: 'Check that the lane worktree exists and that /bin/sh is available.',
      cause: error,
    });
  }

  if (exit.droppedBytes > 0) {
    input.transcript({ type: 'output-dropped', droppedBytes: exit.droppedBytes, limitBytes: input.limits?.outputBytes ?? DEFAULT_LIMITS.outputBytes });
  }
  const result = decideCommandResult({
    exitCode: exit.exitCode,
    exitSignal: exit.exitSignal,
    timedOutAfterMinutes: exit.timedOut ? timeoutMinutes : undefined,
    interrupted: exit.interrupted,
    blocker: await takeBlocker(blockerFile),
    lastStdoutLine: exit.lastStdoutLine,
    stderrTail: exit.stderrTail,
  });
  const denied = result.permissionDenials ?? [];
  if (denied.length) {
    input.log(`Claude Code refused ${denied.length} tool use${denied.length === 1 ? '' : 's'} for want of permission: ${[...new Set(denied)].join('; ')}`);
    input.transcript({ type: 'permission-denials', tools: denied });
  }
  input.transcript({ type: 'agent-end', exitCode: exit.exitCode, exitSignal: exit.exitSignal, timedOut: exit.timedOut, interrupted: exit.interrupted, sandboxed: exit.sandboxed, ...result });
  input.log(describeResult(result));
  return result;
}

/** The blocker file's name in the agent's working directory. */
export const BLOCKER_FILE_NAME = '.nx-agent-lanes-blocker.txt';

/** The command agent's own section: the literal path of its blocker file, which an agent can write without reading its environment. */
function describeBlockerFile(file: string): string {
  return (
    '## Your blocker file\n\n' +
    `To report a blocker, write the question to \`${file}\` (the file LANE_BLOCKER_FILE names; it is ` +
    'never part of your result), then stop and exit with status 0.'
  );
}

/** The blocker's text, and the file gone, so it never reaches the lane's patch. */
async function takeBlocker(file: string): Promise<string | undefined> {
  const text = await readOptionalFile(file);
  await rm(file, { force: true });
  return text;
}

async function readOptionalFile(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function truncateForLog(line: string): string {
  return line.length <= MAX_LOG_LINE ? line : `${line.slice(0, MAX_LOG_LINE)}… (${line.length - MAX_LOG_LINE} more characters)`;
}

function describeResult(result: AgentRunResult): string {
  const detail = result.status === 'blocked' ? result.question : result.reason?.split('\n')[0];
  const cost = result.turns > 0 || result.costUsd > 0 ? ` (${result.turns} turns, $${result.costUsd.toFixed(2)})` : '';
  return `${result.status}${cost}${detail ? `: ${detail}` : ''}`;
}
