import { type ChildProcess, spawn as nodeSpawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessGroupRunning } from '../locks/process-identity';
import { type SocketServer, bridgeSocketToPort } from './bridge-socket';
import { type OutputStream, type TextFilter, OutputCapture } from './capture-output';
import type { SandboxIsolation } from './decide-sandbox';
import { type PortBridge, SANDBOX_SOCKET_DIR, planBwrapArgs } from './plan-bwrap-args';
import { type ReadableMount, resolveSandboxMounts } from './resolve-sandbox-mounts';
import { type DialHost, serveAllowedHosts } from './serve-allowed-hosts';
import { signalGroup, signalGroupExcept, signalProcess } from './signal-processes';

export interface SandboxNetwork {
  /**
   * The plugin's API proxy, listening on 127.0.0.1:`port` of this machine. Inside the sandbox the
   * same address reaches it, so one base URL (`http://127.0.0.1:<port>`) serves sandboxed and
   * unsandboxed runs alike. Use 127.0.0.1, not `localhost`, which may resolve to ::1 first.
   */
  apiProxy?: { port: number };
  /**
   * `allowHosts` entries of the plan (validated by the feature reader). When any, HTTPS_PROXY and
   * HTTP_PROXY (both spellings) point at an in-sandbox proxy that tunnels CONNECT to these hosts
   * only, and NO_PROXY keeps 127.0.0.1 direct. Clients that ignore those variables reach nothing.
   */
  allowHosts?: readonly string[];
  /** How the allow-list proxy opens an allowed connection (tests point it at a local server). */
  dialHost?: DialHost;
}

export interface RunSandboxedOptions {
  /** A shell command line, run by /bin/sh -c. */
  command: string;
  cwd: string;
  /** The process's whole environment: nothing of this process's own is added, only HOME, TMPDIR and the proxy variables. */
  env: Readonly<Record<string, string>>;
  /** Written to standard input, which is then closed; empty when absent. */
  stdin?: string;
  isolation: SandboxIsolation;
  /** Read-write besides `scratch`: the lane's worktree. */
  writable: string[];
  /** The per-lane scratch folder: writable; HOME is `<scratch>/home`, TMPDIR `<scratch>/tmp`. */
  scratch: string;
  /** Visible read-only where they would be hidden (the repository's node_modules a worktree links to). */
  readable?: ReadableMount[];
  /** Not visible at all; default the user's home. */
  hidden?: string[];
  network?: SandboxNetwork;
  signal: AbortSignal;
  /** Wall-clock limit; none when undefined. */
  timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL when the process has to be stopped; default 2 s. */
  killGraceMs?: number;
  /** Bytes of output handed to onLine, both streams together; the rest is dropped with a marker line. */
  outputCapBytes: number;
  onLine: (line: string, stream: OutputStream) => void;
  /** Made once per stream, applied before the cap and the line cut (a secret redactor). */
  createOutputFilter?: () => TextFilter;
  /** Told the process group id once the process started (so a crash can be cleaned up later). */
  onSpawn?: (pgid: number) => void;
  spawn?: typeof nodeSpawn;
}

export interface SandboxedRunResult {
  /** Null when the process died of a signal. */
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  timedOut: boolean;
  interrupted: boolean;
  sandboxed: boolean;
  durationMs: number;
  /** Bytes the process wrote to stdout and stderr. */
  outputBytes: number;
  /** Of those, bytes past the cap, dropped. */
  droppedBytes: number;
  /** The last non-empty stdout line, seen past the cap too (a CLI's closing result record). */
  lastStdoutLine?: string;
  /** The last non-empty stderr lines, oldest first, past the cap too. */
  stderrTail: string[];
}

/** setTimeout fires at once for delays past 2^31-1 ms; a long limit must not become none. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** The in-sandbox port of the allow-list proxy, unless the API proxy took it. */
const HOSTS_PROXY_PORTS = [3128, 3129];

interface Launch {
  child: ChildProcess;
  /** Closes the host halves of the bridges; idempotent. */
  cleanup: () => Promise<void>;
}

/**
 * Runs one command the way every lane process runs: in the lane's sandbox when `isolation` says
 * bwrap (writes only to the writable paths, no process outliving the command, no network but the
 * API proxy and the allowed hosts), and unsandboxed otherwise, with the same environment, output
 * cap, limits and stop sequence either way. Rejects only when the process cannot start at all.
 */
export async function runSandboxed(options: RunSandboxedOptions): Promise<SandboxedRunResult> {
  const started = Date.now();
  const sandboxed = options.isolation.kind === 'bwrap';
  if (options.signal.aborted) {
    return { exitCode: null, exitSignal: null, timedOut: false, interrupted: true, sandboxed, durationMs: 0, outputBytes: 0, droppedBytes: 0, stderrTail: [] };
  }
  const output = new OutputCapture({ capBytes: options.outputCapBytes, onLine: options.onLine, createFilter: options.createOutputFilter });
  const launched = await launch(options);
  const { child } = launched;
  const outerPid = child.pid;
  const killGraceMs = options.killGraceMs ?? 2000;

  return new Promise((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    let timedOut = false;
    let interrupted = false;
    let stopping = false;
    let exited = false;
    let settled = false;

    const stop = (): void => {
      if (stopping || outerPid === undefined) return;
      stopping = true;
      // Sandboxed: the sandbox's processes get SIGTERM and the grace; then bwrap gets SIGKILL,
      // and the kernel kills whatever is left in its PID namespace. Unsandboxed: the group.
      if (sandboxed) signalGroupExcept(outerPid, outerPid, 'SIGTERM');
      else signalGroup(outerPid, 'SIGTERM');
      timers.push(
        setTimeout(() => {
          signalProcess(outerPid, 'SIGKILL');
          signalGroup(outerPid, 'SIGKILL');
        }, killGraceMs),
      );
    };
    const onAbort = (): void => {
      interrupted = !exited;
      stop();
    };
    const finish = (error?: Error, exit?: { code: number | null; signal: NodeJS.Signals | null }): void => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      options.signal.removeEventListener('abort', onAbort);
      const { totalBytes, droppedBytes, lastStdoutLine, stderrTail } = output.end();
      void launched.cleanup().then(() => {
        if (error) return reject(error);
        const mapped = mapExit(exit?.code ?? null, exit?.signal ?? null, sandboxed);
        resolve({ ...mapped, timedOut, interrupted, sandboxed, durationMs: Date.now() - started, outputBytes: totalBytes, droppedBytes, lastStdoutLine, stderrTail });
      });
    };

    if (outerPid !== undefined) options.onSpawn?.(outerPid);
    child.stdout?.on('data', (chunk: Buffer) => output.push('stdout', chunk));
    child.stderr?.on('data', (chunk: Buffer) => output.push('stderr', chunk));
    // EPIPE when the command exits without reading its input: allowed.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.stdin ?? '');

    if (options.timeoutMs !== undefined) {
      timers.push(
        setTimeout(() => {
          timedOut = !exited;
          stop();
        }, Math.min(options.timeoutMs, MAX_TIMER_MS)),
      );
    }
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });

    child.on('error', (error) => finish(error));
    child.on('exit', () => {
      exited = true;
      if (sandboxed) return;
      // Unsandboxed, the shell's leftovers in its group go too; something that left the group
      // but holds the pipes is waited for only as long as the grace.
      signalGroup(outerPid ?? 0, 'SIGKILL');
      timers.push(
        setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
        }, killGraceMs + 1000),
      );
    });
    child.on('close', (code, signal) => finish(undefined, { code, signal }));
  });
}

function privateEnv(env: Readonly<Record<string, string>>, dirs: { home: string; tmp: string }): Record<string, string> {
  return { ...env, HOME: dirs.home, TMPDIR: dirs.tmp };
}

/** The part of the options a launch needs before it knows its command. */
type LaunchOptions = Omit<RunSandboxedOptions, 'command' | 'stdin' | 'signal' | 'timeoutMs' | 'killGraceMs' | 'outputCapBytes' | 'createOutputFilter' | 'onSpawn'>;

interface PreparedLaunch {
  /** Starts `command` (a shell line) in the prepared sandbox, with stdio piped; synchronous. `env` replaces the options' one. */
  start(command: string, env?: Readonly<Record<string, string>>): ChildProcess;
  /** Closes the host halves of the bridges; idempotent. */
  cleanup: () => Promise<void>;
}

async function launch(options: RunSandboxedOptions): Promise<Launch> {
  const prepared = await prepareLaunch(options);
  try {
    return { child: prepared.start(options.command), cleanup: prepared.cleanup };
  } catch (error) {
    await prepared.cleanup();
    throw error;
  }
}

function prepareLaunch(options: LaunchOptions): Promise<PreparedLaunch> {
  return options.isolation.kind === 'bwrap' ? prepareSandboxed(options) : Promise.resolve(prepareUnsandboxed(options));
}

function prepareUnsandboxed(options: LaunchOptions): PreparedLaunch {
  const home = join(options.scratch, 'home');
  const tmp = join(options.scratch, 'tmp');
  mkdirSync(home, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  const spawn = options.spawn ?? nodeSpawn;
  // detached: the child leads a new process group (and session, without a terminal).
  const start = (command: string, env = options.env) =>
    spawn('/bin/sh', ['-c', command], { cwd: options.cwd, env: privateEnv(env, { home, tmp }), detached: true, stdio: 'pipe' });
  return { start, cleanup: async () => undefined };
}

async function prepareSandboxed(options: LaunchOptions): Promise<PreparedLaunch> {
  if (options.isolation.kind !== 'bwrap') throw new Error('prepareSandboxed needs bwrap');
  const { bwrapPath, socatPath } = options.isolation;
  const resolved = resolveSandboxMounts({
    writable: options.writable,
    scratch: options.scratch,
    readable: options.readable,
    hidden: options.hidden,
    pathEnv: options.env.PATH,
    cwd: options.cwd,
  });
  const proxyEnv: Record<string, string> = {};
  const servers: SocketServer[] = [];
  const network = options.network ?? {};
  const hosts = network.allowHosts ?? [];
  // Outside every writable path and under the host's /tmp, which the sandbox does not see: only
  // the sockets themselves are mounted inside.
  const socketDir = network.apiProxy || hosts.length > 0 ? mkdtempSync(join(tmpdir(), 'nx-agent-lanes-sock-')) : undefined;
  const cleanup = async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    if (socketDir) rmSync(socketDir, { recursive: true, force: true });
  };
  try {
    const bridges: PortBridge[] = [];
    if (network.apiProxy && socketDir) {
      const server = await bridgeSocketToPort({ socketPath: join(socketDir, 'api.sock'), port: network.apiProxy.port });
      servers.push(server);
      const inside = `${SANDBOX_SOCKET_DIR}/api.sock`;
      resolved.plan.sockets.push({ source: server.socketPath, target: inside });
      bridges.push({ port: network.apiProxy.port, socket: inside });
    }
    if (hosts.length > 0 && socketDir) {
      const server = await serveAllowedHosts({
        socketPath: join(socketDir, 'hosts.sock'),
        allowHosts: hosts,
        dial: network.dialHost,
        onRefused: (target, why) => options.onLine(`[nx-agent-lanes sandbox: refused a connection to ${target}: ${why}]`, 'stderr'),
      });
      servers.push(server);
      const port = HOSTS_PROXY_PORTS.find((p) => p !== network.apiProxy?.port) ?? HOSTS_PROXY_PORTS[0];
      const inside = `${SANDBOX_SOCKET_DIR}/hosts.sock`;
      resolved.plan.sockets.push({ source: server.socketPath, target: inside });
      bridges.push({ port, socket: inside });
      const url = `http://127.0.0.1:${port}`;
      Object.assign(proxyEnv, { HTTPS_PROXY: url, https_proxy: url, HTTP_PROXY: url, http_proxy: url, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' });
    }
    const spawn = options.spawn ?? nodeSpawn;
    const start = (command: string, env = options.env) =>
      spawn(bwrapPath, planBwrapArgs({ mounts: resolved.plan, cwd: options.cwd, command, bridges, socatPath }), {
        cwd: resolved.plan.writable[0],
        env: { ...privateEnv(env, resolved), ...proxyEnv },
        detached: true,
        stdio: 'pipe',
      });
    return { start, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

export interface AttachedSandboxOptions extends LaunchOptions {
  /** What the sandbox itself says (a refused connection), as stderr lines. */
  onLine: (line: string, stream: OutputStream) => void;
}

/** A prepared sandbox for programs a caller talks to over their stdin and stdout. */
export interface AttachedSandbox {
  sandboxed: boolean;
  /**
   * Starts `file` with `args` (quoted, no shell parsing) in the sandbox, stdio piped, its own
   * process group; `env` replaces the options' environment (HOME and TMPDIR stay private).
   */
  spawn(file: string, args: readonly string[], env?: Readonly<Record<string, string>>): ChildProcess;
  /** Kills whatever it started that still runs (the whole sandbox with it) and closes the bridges. */
  close(): Promise<void>;
}

/**
 * The same sandbox as runSandboxed, for a process whose pipes the caller drives itself (the Agent
 * SDK speaks to Claude Code over them): mounts, network bridges and private HOME are set up once
 * here, and `spawn` is synchronous, as the SDK's spawn hook must be.
 */
export async function openAttachedSandbox(options: AttachedSandboxOptions): Promise<AttachedSandbox> {
  const prepared = await prepareLaunch(options);
  const children: Array<{ child: ChildProcess; closed: Promise<void> }> = [];
  let closed = false;
  return {
    sandboxed: options.isolation.kind === 'bwrap',
    spawn(file, args, env) {
      if (closed) throw new Error('This sandbox is closed.');
      const child = prepared.start(['exec', ...[file, ...args].map(quoteForShell)].join(' '), env);
      child.stdin?.on('error', () => undefined);
      children.push({ child, closed: new Promise((resolve) => child.once('close', () => resolve())) });
      return child;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const { child } of children) {
        if (child.pid === undefined) continue;
        // bwrap dies with its PID namespace's init; unsandboxed, the group goes. The group is
        // signalled even after bwrap exited: what it started may still be on its way out.
        if (child.exitCode === null && child.signalCode === null) signalProcess(child.pid, 'SIGKILL');
        signalGroup(child.pid, 'SIGKILL');
      }
      // A killed process is gone only once the kernel has torn it down: close returns once
      // every process in the groups it started has gone, not as soon as the kill is sent.
      await Promise.all(children.map(({ child, closed: pipesClosed }) => (child.pid === undefined ? undefined : untilGroupGone(child.pid, pipesClosed))));
      await prepared.cleanup();
    },
  };
}

/** The longest close waits for a killed sandbox's processes to be torn down. */
const TEARDOWN_WAIT_MS = 5000;

/**
 * Resolves once the group led by `pgid` has no running member left (zombies do not count), or
 * after TEARDOWN_WAIT_MS: first the pipes' close (each process holding them has released its
 * files, so it is most of the way out), then the group, checked every 10 ms and killed again
 * each time.
 */
async function untilGroupGone(pgid: number, pipesClosed: Promise<void>): Promise<void> {
  const deadline = Date.now() + TEARDOWN_WAIT_MS;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([pipesClosed, new Promise<void>((resolve) => (timer = setTimeout(resolve, TEARDOWN_WAIT_MS)))]);
  clearTimeout(timer);
  while (isProcessGroupRunning(pgid) && Date.now() < deadline) {
    signalGroup(pgid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function quoteForShell(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * bwrap reports a sandboxed command that died of signal N as exit code 128 + N, as a shell does;
 * read back as the signal, so a test killed by SIGKILL reads the same sandboxed or not. A command
 * that itself exits with such a code (`exit 137`) reads as that signal too.
 */
function mapExit(code: number | null, signal: NodeJS.Signals | null, sandboxed: boolean): { exitCode: number | null; exitSignal: NodeJS.Signals | null } {
  if (signal || code === null || !sandboxed || code <= 128) return { exitCode: code, exitSignal: signal };
  const name = (Object.keys(constants.signals) as NodeJS.Signals[]).find((s) => constants.signals[s] === code - 128);
  return name ? { exitCode: null, exitSignal: name } : { exitCode: code, exitSignal: null };
}
