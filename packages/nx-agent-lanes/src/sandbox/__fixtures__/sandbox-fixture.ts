import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectSandbox } from '../detect-sandbox';
import type { SandboxIsolation } from '../decide-sandbox';
import { type RunSandboxedOptions, type SandboxedRunResult, runSandboxed } from '../run-sandboxed';

/**
 * Test support: a user's repository (with hooks, config and node_modules), a linked worktree of
 * it as a lane has, and a scratch folder, in a temp dir; and a runner that collects the lines.
 */
export interface SandboxWorld {
  top: string;
  repo: string;
  /** The repository's git common dir, `<repo>/.git`. */
  commonDir: string;
  worktree: string;
  /** The worktree's own git dir, `<common dir>/worktrees/<id>`. */
  worktreeGitDir: string;
  scratch: string;
  remove(): void;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: cwd } }).trim();

export function createSandboxWorld(): SandboxWorld {
  const top = realpathSync(mkdtempSync(join(tmpdir(), 'nx-agent-lanes-sandbox-')));
  const repo = join(top, 'repo');
  mkdirSync(join(repo, 'node_modules', 'pkg'), { recursive: true });
  writeFileSync(join(repo, 'node_modules', 'pkg', 'index.js'), 'module.exports = 1;\n');
  writeFileSync(join(repo, 'README.md'), 'user file\n');
  writeFileSync(join(repo, '.gitignore'), 'node_modules\n');
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '.');
  git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'base');
  const worktree = join(top, 'worktrees', 'lane');
  mkdirSync(join(top, 'worktrees'));
  git(repo, 'worktree', 'add', '-q', '-b', 'lanes/lane', worktree);
  symlinkSync(join(repo, 'node_modules'), join(worktree, 'node_modules'));
  const commonDir = join(repo, '.git');
  const worktreeGitDir = realpathSync(git(worktree, 'rev-parse', '--absolute-git-dir'));
  const scratch = join(top, 'scratch');
  mkdirSync(scratch);
  return { top, repo, commonDir, worktree, worktreeGitDir, scratch, remove: () => rmSync(top, { recursive: true, force: true }) };
}

/** The bwrap isolation of this machine; throws (failing the suite loudly) where it is missing. */
export function requireBwrap(): SandboxIsolation {
  const detection = detectSandbox();
  if (!detection.available) {
    throw new Error(`These tests need the real sandbox, which is not available: ${detection.reason}. ${detection.hint}`);
  }
  return { kind: 'bwrap', bwrapPath: detection.bwrapPath, socatPath: detection.socatPath };
}

export interface CollectedRun extends SandboxedRunResult {
  lines: string[];
  stdout: string[];
  stderr: string[];
}

export type TestRunOptions = Partial<Omit<RunSandboxedOptions, 'onLine'>> & { command: string };

/** Runs a command in the world's worktree with a minimal environment, collecting its lines. */
export async function runIn(world: SandboxWorld, isolation: SandboxIsolation, options: TestRunOptions): Promise<CollectedRun> {
  const lines: string[] = [];
  const stdout: string[] = [];
  const stderr: string[] = [];
  const result = await runSandboxed({
    cwd: world.worktree,
    env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
    isolation,
    writable: [world.worktree],
    scratch: world.scratch,
    signal: new AbortController().signal,
    timeoutMs: 20_000,
    outputCapBytes: 1024 * 1024,
    ...options,
    onLine: (line, stream) => {
      lines.push(line);
      (stream === 'stdout' ? stdout : stderr).push(line);
    },
  });
  return { ...result, lines, stdout, stderr };
}

/** Pids of live processes whose command line holds `marker` (a unique word passed to them). */
export function processesWithMarker(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const state = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]?.[0];
      if (cmdline.includes(marker) && state !== 'Z') found.push(Number(name));
    } catch {
      // Gone while we looked.
    }
  }
  return found;
}

export function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
