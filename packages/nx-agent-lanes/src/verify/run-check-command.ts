import { OutputCap } from '../agents/command/output-cap';
import { runProcessGroup } from '../agents/command/run-process-group';
import { DEFAULT_LIMITS } from '../feature/read-limits';
import { StreamRedactor, collectSecrets, mergeSecrets, type SecretValue } from '../lanes/redact-secrets';

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
  /**
   * Values redacted from the output before it is cut into lines, logged or kept in the tail, on
   * top of the built-in secrets found in `env` or in this process's environment: a test that
   * finds a key somewhere and prints it must not put it in the terminal or verify.json.
   */
  secrets?: readonly SecretValue[];
  /** Bytes of output logged (limits.outputBytes); past them one line says how much was dropped. */
  outputBytes?: number;
}

/** A logged or kept line is for a person: a longer one is shortened (after redaction, so safely). */
const MAX_SHOWN_LINE = 2000;

/** Runs a test or setup command in its own process group; only its exit code decides. */
export async function runCheckCommand(options: RunCheckCommandOptions): Promise<CheckCommandResult> {
  const tail: string[] = [];
  const keep = options.tailLines ?? 60;
  const secrets = mergeSecrets(options.secrets ?? [], collectSecrets({ ...process.env, ...options.env }));
  const cap = new OutputCap(options.outputBytes ?? DEFAULT_LIMITS.outputBytes);
  const onLine = (line: string) => {
    const shown = shortenLine(line);
    // The tail goes on past the cap: a failing suite says why at its end.
    tail.push(shown);
    if (tail.length > keep) tail.shift();
    if (cap.admit(line)) options.log?.(shown);
  };
  const started = Date.now();
  const exit = await runProcessGroup({
    command: options.command,
    cwd: options.cwd,
    env: options.env,
    stdin: '',
    onStdoutLine: onLine,
    onStderrLine: onLine,
    redact: () => new StreamRedactor(secrets),
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    killGraceMs: 5000,
  });
  const dropped = cap.describeDropped('output', '`limits.outputBytes`');
  if (dropped) options.log?.(dropped);
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
  /** See RunCheckCommandOptions: pass the feature's secrets and the lane's limits.outputBytes. */
  secrets?: readonly SecretValue[];
  outputBytes?: number;
}): Promise<{ setup?: CheckCommandResult; test?: CheckCommandResult }> {
  const { cwd, env, signal, log, secrets, outputBytes } = options;
  const shared = { cwd, env, signal, timeoutMs: CHECK_TIMEOUT_MS, log, secrets, outputBytes };
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
