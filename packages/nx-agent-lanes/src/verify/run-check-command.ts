import { runProcessGroup } from '../agents/command/run-process-group';

export interface CheckCommandResult {
  command: string;
  passed: boolean;
  exitCode: number | null;
  durationMs: number;
  /** The last lines of stdout and stderr, interleaved as they came. */
  outputTail: string;
}

export interface RunCheckCommandOptions {
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  timeoutMs?: number;
  log?: (line: string) => void;
  tailLines?: number;
}

/** Runs a test or setup command in its own process group; only its exit code decides. */
export async function runCheckCommand(options: RunCheckCommandOptions): Promise<CheckCommandResult> {
  const tail: string[] = [];
  const keep = options.tailLines ?? 60;
  const onLine = (line: string) => {
    tail.push(line);
    if (tail.length > keep) tail.shift();
    options.log?.(line);
  };
  const started = Date.now();
  const exit = await runProcessGroup({
    command: options.command,
    cwd: options.cwd,
    env: options.env,
    stdin: '',
    onStdoutLine: onLine,
    onStderrLine: onLine,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    killGraceMs: 5000,
  });
  if (exit.timedOut) tail.push(`(stopped after ${Math.round((options.timeoutMs ?? 0) / 1000)} s)`);
  if (exit.interrupted) tail.push('(interrupted)');
  return {
    command: options.command,
    passed: exit.exitCode === 0 && !exit.timedOut && !exit.interrupted,
    exitCode: exit.exitCode,
    durationMs: Date.now() - started,
    outputTail: tail.join('\n'),
  };
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
}): Promise<{ setup?: CheckCommandResult; test?: CheckCommandResult }> {
  const { cwd, env, signal, log } = options;
  let setup: CheckCommandResult | undefined;
  if (options.setup) {
    log(`setup: ${options.setup}`);
    setup = await runCheckCommand({ command: options.setup, cwd, env, signal, timeoutMs: CHECK_TIMEOUT_MS, log });
    if (!setup.passed) return { setup };
  }
  if (!options.test) return { setup };
  log(`${options.test.label}: ${options.test.command}`);
  const test = await runCheckCommand({ command: options.test.command, cwd, env, signal, timeoutMs: CHECK_TIMEOUT_MS, log });
  return { setup, test };
}
