import { spawn as nodeSpawn } from 'node:child_process';
import { probeProcess } from '../../locks/process-identity';
import type { TextStreamFilter } from '../provider';
import { LineBuffer } from './line-buffer';

export interface RunProcessGroupOptions {
  /** A shell command line, run by `/bin/sh -c`. */
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Written to the process's standard input, which is then closed. */
  stdin: string;
  /** Each line of output, redacted when `redact` is given; a line longer than `maxLineChars` comes in pieces. */
  onStdoutLine: (line: string) => void;
  onStderrLine: (line: string) => void;
  /** One secret redactor per stream, run on the text before it is cut into lines or pieces. */
  redact?: () => TextStreamFilter;
  /** Longest line handed out whole (default 1 MiB): memory stays bounded whatever the command prints. */
  maxLineChars?: number;
  /** Wall-clock limit; none when undefined. */
  timeoutMs?: number;
  signal: AbortSignal;
  /** Time between SIGTERM and SIGKILL when the group has to be stopped. */
  killGraceMs: number;
  spawn?: typeof nodeSpawn;
  /** Told the process group id once the command started (so a crash can be cleaned up later). */
  onSpawn?: (pgid: number) => void;
}

export interface ProcessGroupExit {
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  timedOut: boolean;
  interrupted: boolean;
}

/** setTimeout fires at once for delays past 2^31-1 ms; a long limit must not become none. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs a shell command in its own process group and stops the whole group, never just the
 * shell: an agent CLI starts its own children (test runners, dev servers), and killing only
 * the shell would leave them running in a worktree that is about to be removed, holding our
 * output pipes open. Rejects only when the process cannot be started at all.
 */
export function runProcessGroup(options: RunProcessGroupOptions): Promise<ProcessGroupExit> {
  const spawn = options.spawn ?? nodeSpawn;
  return new Promise((resolve, reject) => {
    // detached: the child leads a new process group, so -pid reaches everything it starts.
    const child = spawn('/bin/sh', ['-c', options.command], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const lines = (onLine: (line: string) => void) => new LineBuffer(onLine, { filter: options.redact?.(), maxLineChars: options.maxLineChars });
    const stdout = lines(options.onStdoutLine);
    const stderr = lines(options.onStderrLine);
    const timers: NodeJS.Timeout[] = [];
    let timedOut = false;
    let interrupted = false;
    let stopping = false;
    let exited = false;
    let settled = false;

    const stopGroup = (): void => {
      if (stopping || child.pid === undefined) return;
      stopping = true;
      const pid = child.pid;
      signalProcessGroup(pid, 'SIGTERM');
      timers.push(setTimeout(() => signalProcessGroup(pid, 'SIGKILL'), options.killGraceMs));
    };
    // Once the shell has exited its verdict stands: a limit hit while the pipes drain is no failure.
    const onAbort = (): void => {
      interrupted = !exited;
      stopGroup();
    };
    const settle = (): void => {
      settled = true;
      timers.forEach(clearTimeout);
      options.signal.removeEventListener('abort', onAbort);
      stdout.end();
      stderr.end();
    };

    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    // EPIPE when the command exits without reading its prompt: allowed, it has the file too.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.stdin);

    if (options.timeoutMs !== undefined) {
      timers.push(
        setTimeout(() => {
          timedOut = !exited;
          stopGroup();
        }, Math.min(options.timeoutMs, MAX_TIMER_MS)),
      );
    }
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });

    child.on('error', (error) => {
      if (settled) return;
      settle();
      reject(error);
    });
    child.on('exit', () => {
      exited = true;
      // The shell is gone; whatever it left behind in its group goes too. And if something
      // escaped the group but still holds our pipes, stop waiting for them after the grace.
      stopGroup();
      const waitForPipes = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, options.killGraceMs + 1000);
      timers.push(waitForPipes);
    });
    child.on('close', (exitCode, exitSignal) => {
      if (settled) return;
      settle();
      // A member that ignored SIGTERM but closed its pipes must not outlive the run.
      if (child.pid !== undefined && signalProcessGroup(child.pid, 0)) signalProcessGroup(child.pid, 'SIGKILL');
      resolve({ exitCode, exitSignal, timedOut, interrupted });
    });
  });
}

/**
 * Sends a signal to every process of a group. False when the group no longer exists; true
 * otherwise, including when a member may not be signalled (EPERM): it is still there.
 */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Whether a process runs: it exists and is not a zombie, whose pid `kill(pid, 0)` still accepts.
 * By pid alone; to trust a recorded pid, compare its start time too (locks/process-identity).
 */
export function isProcessAlive(pid: number): boolean {
  return probeProcess({ pid }) === 'live';
}
