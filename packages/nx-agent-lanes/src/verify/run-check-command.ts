import { DEFAULT_LIMITS } from '../feature/read-limits';
import type { LaneProcessRunner } from '../stage/lane-process-runner';

export interface CheckCommandResult {
  command: string;
  passed: boolean;
  exitCode: number | null;
  durationMs: number;
  /** The last lines of stdout and stderr, interleaved as they came. */
  outputTail: string;
  /** Whether it ran in the OS sandbox. */
  sandboxed?: boolean;
}

export interface RunCheckCommandOptions {
  command: string;
  cwd: string;
  /** No credential: setup and tests never get the API key. */
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** The worktree's runner: in the stage's sandbox, output redacted before any cut. */
  runProcess: LaneProcessRunner;
  timeoutMs?: number;
  log?: (line: string) => void;
  tailLines?: number;
  /** Bytes of output logged (limits.outputBytes); past them one line says how much was dropped. */
  outputBytes?: number;
}

/** A logged or kept line is for a person: a longer one is shortened (after redaction, so safely). */
const MAX_SHOWN_LINE = 2000;

/** Runs a test or setup command through the stage's runner; only its exit code decides. */
export async function runCheckCommand(options: RunCheckCommandOptions): Promise<CheckCommandResult> {
  const tail: string[] = [];
  const keep = options.tailLines ?? 60;
  const exit = await options.runProcess({
    command: options.command,
    cwd: options.cwd,
    env: options.env,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    killGraceMs: 5000,
    outputCapBytes: options.outputBytes ?? DEFAULT_LIMITS.outputBytes,
    onLine: (line) => {
      const shown = shortenLine(line);
      tail.push(shown);
      if (tail.length > keep) tail.shift();
      options.log?.(shown);
    },
  });
  // Past the cap the runner still knows how the output ended: a failing suite says why at its end.
  if (exit.droppedBytes > 0) tail.push(...exit.stderrTail.map(shortenLine), ...(exit.lastStdoutLine ? [shortenLine(exit.lastStdoutLine)] : []));
  if (exit.timedOut) tail.push(`(stopped after ${Math.round((options.timeoutMs ?? 0) / 1000)} s)`);
  if (exit.interrupted) tail.push('(interrupted)');
  return {
    command: options.command,
    passed: exit.exitCode === 0 && !exit.timedOut && !exit.interrupted,
    exitCode: exit.exitCode,
    durationMs: exit.durationMs,
    outputTail: tail.slice(-keep).join('\n'),
    sandboxed: exit.sandboxed,
  };
}

function shortenLine(line: string): string {
  return line.length <= MAX_SHOWN_LINE ? line : `${line.slice(0, MAX_SHOWN_LINE)}… (${line.length - MAX_SHOWN_LINE} more characters)`;
}

/** Time limit of one setup or test command in verify and integrate. */
export const CHECK_TIMEOUT_MS = 30 * 60 * 1000;

/**
 * The feature's `setup` (when given) then a test command, in a worktree, the way verify and
 * integrate both prove a tree: the test runs only when setup passed.
 */
export async function runSetupThenTest(options: {
  setup?: string;
  test?: { label: string; command: string };
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  log: (line: string) => void;
  runProcess: LaneProcessRunner;
  /** The lane's limits.outputBytes. */
  outputBytes?: number;
}): Promise<{ setup?: CheckCommandResult; test?: CheckCommandResult }> {
  const { cwd, env, signal, log, runProcess, outputBytes } = options;
  const shared = { cwd, env, signal, timeoutMs: CHECK_TIMEOUT_MS, log, runProcess, outputBytes };
  let setup: CheckCommandResult | undefined;
  if (options.setup) {
    log(`setup: ${options.setup}`);
    setup = await runCheckCommand({ command: options.setup, ...shared });
    if (!setup.passed) return { setup };
  }
  if (!options.test) return { setup };
  log(`${options.test.label}: ${options.test.command}`);
  const test = await runCheckCommand({ command: options.test.command, ...shared });
  return { setup, test };
}
