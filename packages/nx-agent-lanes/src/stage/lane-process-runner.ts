import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { spawn as nodeSpawn } from 'node:child_process';
import { StreamRedactor, type SecretValue } from '../lanes/redact-secrets';
import {
  type AttachedSandbox,
  type OutputStream,
  type SandboxIsolation,
  type SandboxNetwork,
  type SandboxedRunResult,
  openAttachedSandbox,
  runSandboxed,
} from '../sandbox';

export interface LaneProcessOptions {
  /** A shell command line, run by /bin/sh -c. */
  command: string;
  cwd: string;
  /** The process's whole environment (HOME and TMPDIR are replaced by private ones in scratch). */
  env: NodeJS.ProcessEnv;
  stdin?: string;
  signal: AbortSignal;
  /** Wall-clock limit; none when undefined. */
  timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL when the process has to be stopped. */
  killGraceMs?: number;
  /** Bytes of output handed to onLine (limits.outputBytes); past them one marker line says what was dropped. */
  outputCapBytes: number;
  /** Each line, redacted before any cut. */
  onLine: (line: string, stream: OutputStream) => void;
  /** Told the process group id once the process started (so a crash can be cleaned up later). */
  onSpawn?: (pgid: number) => void;
}

/**
 * Runs one command of a lane the way every lane process runs: in the lane's sandbox when it has
 * one (writes only to its worktree and scratch folder, nothing outliving the command, no network
 * but the API proxy and the hosts the plan allows), with its output redacted, then capped.
 */
export type LaneProcessRunner = ((options: LaneProcessOptions) => Promise<SandboxedRunResult>) & {
  /** Output lines of this runner's sandboxed processes that show the sandbox refusing something (first few). */
  readonly refusals: readonly string[];
  /**
   * The same sandbox for a program the caller drives over its pipes (Claude Code under the Agent
   * SDK). Close it when done: that kills what is left of it.
   */
  openAttached(options: AttachedLaneOptions): Promise<AttachedSandbox>;
};

export interface AttachedLaneOptions {
  cwd: string;
  /** The environment spawn uses unless it is given one (HOME and TMPDIR are private either way). */
  env: NodeJS.ProcessEnv;
  /** What the sandbox itself says (a refused connection). */
  onLine: (line: string, stream: OutputStream) => void;
}

/**
 * What a process prints when the sandbox refuses it: a write to a read-only or hidden place, a
 * connection to the network. Read from the output, so a lane that hides its attempts is still
 * contained, only not named.
 */
const REFUSAL = /EROFS|Read-only file system|ENETUNREACH|Network is unreachable|EAI_AGAIN|Temporary failure in name resolution/;
const KEPT_REFUSALS = 5;

export interface LaneProcessRunnerSetup {
  isolation: SandboxIsolation;
  /** The worktree: the one writable place besides scratch. */
  worktree: string;
  /** The per-stage scratch folder (private HOME and TMPDIR, prompt and blocker files). */
  scratch: string;
  /** The repository whose node_modules the worktree links to: readable, never writable. */
  repoRoot: string;
  secrets: readonly SecretValue[];
  /** The API proxy's port and the plan's hosts; none when absent. */
  network?: SandboxNetwork;
  spawn?: typeof nodeSpawn;
}

export function createLaneProcessRunner(setup: LaneProcessRunnerSetup): LaneProcessRunner {
  const nodeModules = join(setup.repoRoot, 'node_modules');
  const readable = existsSync(nodeModules) ? [nodeModules] : [];
  const refusals: string[] = [];
  let seen = 0;
  const run = (options: LaneProcessOptions) =>
    runSandboxed({
      command: options.command,
      cwd: options.cwd,
      env: definedOnly(options.env),
      stdin: options.stdin,
      isolation: setup.isolation,
      writable: [setup.worktree],
      scratch: setup.scratch,
      readable,
      network: setup.network,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      killGraceMs: options.killGraceMs,
      outputCapBytes: options.outputCapBytes,
      onLine: (line, stream) => {
        if (setup.isolation.kind === 'bwrap' && REFUSAL.test(line) && seen++ < KEPT_REFUSALS) refusals.push(line.slice(0, 300));
        options.onLine(line, stream);
      },
      createOutputFilter: () => new StreamRedactor(setup.secrets),
      onSpawn: options.onSpawn,
      spawn: setup.spawn,
    });
  const openAttached = (options: AttachedLaneOptions) =>
    openAttachedSandbox({
      cwd: options.cwd,
      env: definedOnly(options.env),
      isolation: setup.isolation,
      writable: [setup.worktree],
      scratch: setup.scratch,
      readable,
      network: setup.network,
      onLine: options.onLine,
      spawn: setup.spawn,
    });
  return Object.assign(run, {
    openAttached,
    get refusals(): readonly string[] {
      return seen > KEPT_REFUSALS ? [...refusals, `… and ${seen - KEPT_REFUSALS} more`] : refusals;
    },
  });
}

/** An environment without its unset entries, as spawn takes it. */
export function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value;
  return out;
}
