import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { GitError } from '../errors';
import { ConfigListingCache } from './config-listing-cache';
import { ALWAYS_CONFIG, configEnvironment, needsConfigOverrides, parseConfigList, planConfigOverrides } from './plan-git-hardening';

/** What one git command printed and how it ended. */
export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ExecGitOptions {
  /** Written to git's standard input (e.g. a patch for `git apply`). */
  input?: string;
  /** An index to read instead of the worktree's own (GIT_INDEX_FILE), by absolute path. */
  indexFile?: string;
}

/**
 * Keys dropped from the environment git inherits, besides every GIT_* key: programs git would
 * start (an editor, a pager, an askpass helper) and a prefix. Dropping GIT_DIR, GIT_INDEX_FILE
 * and GIT_WORK_TREE matters beyond that: inherited from a git hook, they would point our commands
 * at the user's own index and checkout; GIT_CONFIG_PARAMETERS and GIT_EXTERNAL_DIFF would undo the
 * hardening below.
 */
const GUARDED_PLAIN_KEYS = new Set(['editor', 'visual', 'pager', 'prefix', 'ssh_askpass']);

function inheritedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    if (lower.startsWith('git_') || GUARDED_PLAIN_KEYS.has(lower)) continue;
    env[key] = value;
  }
  // Never wait for a credential prompt: this plugin runs unattended under Nx.
  env.GIT_TERMINAL_PROMPT = '0';
  return env;
}

/** The environment of a command: the user's, without GIT_*, plus the hardening configuration. */
function hardenedEnv(overrides: Overrides): NodeJS.ProcessEnv {
  return { ...inheritedEnv(), ...configEnvironment([...ALWAYS_CONFIG, ...overrides]) };
}

const LIST_CONFIG = ['config', '--list', '--show-scope', '--show-origin', '-z'];

type Overrides = ReadonlyArray<readonly [string, string]>;

/** Each folder's overrides, kept while its configuration files read the same (see config-listing-cache.ts). */
const listedOverrides = new ConfigListingCache<Overrides>();

/**
 * The overrides a content-reading command in `cwd` needs, from the folder's configuration as it
 * is now: kept from an earlier listing while no file it came from changed, listed otherwise.
 * A failed listing is returned as it is, for the caller to report.
 */
function overridesFor(cwd: string, list: () => GitResult): Overrides | GitResult;
function overridesFor(cwd: string, list: () => Promise<GitResult>): Promise<Overrides | GitResult>;
function overridesFor(cwd: string, list: () => GitResult | Promise<GitResult>): Overrides | GitResult | Promise<Overrides | GitResult> {
  const kept = listedOverrides.lookup(cwd);
  if (kept) return kept;
  const before = listedOverrides.before(cwd);
  const decide = (listed: GitResult): Overrides | GitResult => {
    if (listed.exitCode !== 0) return listed;
    const entries = parseConfigList(listed.stdout);
    const overrides = planConfigOverrides(entries);
    listedOverrides.store(cwd, before, entries, overrides);
    return overrides;
  };
  const listed = list();
  return listed instanceof Promise ? listed.then(decide) : decide(listed);
}

const isFailure = (value: Overrides | GitResult): value is GitResult => 'exitCode' in value;

/**
 * Parallel lanes run git in one repository at once: creating, deleting and moving refs and
 * worktrees takes short-lived `.lock` files, and git fails at once rather than wait when another
 * process holds one. Such a failure changed nothing, so it is safe to try again.
 */
const LOCK_CONTENTION = /Unable to create '[^']*\.lock': File exists|could not lock config file/;
const LOCK_RETRIES = [50, 100, 200, 400, 800, 1600];

/**
 * Runs `git <args>` in `cwd` and reports how it ended; never throws for a non-zero exit.
 * Hardened: no hook, fsmonitor, filter, textconv, diff or merge driver, credential helper or
 * signing program the repository configures runs (see plan-git-hardening.ts).
 */
export async function execGit(cwd: string, args: string[], options: ExecGitOptions = {}): Promise<GitResult> {
  let result = await execGitOnce(cwd, args, options);
  for (const waitMs of LOCK_RETRIES) {
    if (result.exitCode === 0 || !LOCK_CONTENTION.test(result.stderr)) break;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    result = await execGitOnce(cwd, args, options);
  }
  return result;
}

async function execGitOnce(cwd: string, args: string[], options: ExecGitOptions): Promise<GitResult> {
  if (!fs.existsSync(cwd)) {
    throw new GitError(`The directory ${cwd} does not exist, so git cannot run there.`);
  }
  const withIndex = (env: NodeJS.ProcessEnv) => (options.indexFile === undefined ? env : { ...env, GIT_INDEX_FILE: options.indexFile });
  if (!needsConfigOverrides(args)) return spawnGit(cwd, args, options, withIndex(hardenedEnv([])));
  // Decided right before the command, in the same folder, so a worktree's own config.worktree counts.
  const overrides = await overridesFor(cwd, () => spawnGit(cwd, LIST_CONFIG, {}, hardenedEnv([])));
  if (isFailure(overrides)) return overrides;
  return spawnGit(cwd, args, options, withIndex(hardenedEnv(overrides)));
}

/**
 * Starts git itself, with no shell: the arguments are the plugin's own and the hardening is in
 * the environment. A wrapper that scans every command's arguments for risky options (as
 * simple-git does) cost more CPU per lane than git's own start, for nothing these commands need.
 */
function spawnGit(cwd: string, args: string[], options: ExecGitOptions, env: NodeJS.ProcessEnv): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => reject(couldNotStart(cwd, args, error)));
    child.on('close', (code, signal) => {
      const said = Buffer.concat(stderr).toString('utf8');
      resolve({ stdout: Buffer.concat(stdout).toString('utf8'), stderr: signal ? `${said}git was stopped by ${signal}` : said, exitCode: code ?? 1 });
    });
    if (child.stdin) {
      // git may exit before reading all of its input (a patch it rejects at once): its exit code says why.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}

/**
 * The same hardened command, synchronously, for the few callers that cannot wait (Nx's
 * createNodes reads the workspace's files while it builds the project graph).
 */
export function execGitSync(cwd: string, args: string[]): GitResult {
  const run = (argv: string[], env: NodeJS.ProcessEnv): GitResult => {
    const out = spawnSync('git', argv, { cwd, env, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
    if (out.error) throw couldNotStart(cwd, argv, out.error);
    return { stdout: out.stdout, stderr: out.stderr, exitCode: out.status ?? 1 };
  };
  if (!needsConfigOverrides(args)) return run(args, hardenedEnv([]));
  const overrides = overridesFor(cwd, () => run(LIST_CONFIG, hardenedEnv([])));
  if (isFailure(overrides)) return overrides;
  return run(args, hardenedEnv(overrides));
}

/** Runs `git <args>` in `cwd` and returns its stdout; a non-zero exit becomes a GitError quoting git. */
export async function runGit(cwd: string, args: string[], options: ExecGitOptions = {}): Promise<string> {
  const result = await execGit(cwd, args, options);
  if (result.exitCode !== 0) throw commandFailed(cwd, args, result);
  return result.stdout;
}

/** A GitError for a command that git itself rejected, quoting what git said. */
export function commandFailed(cwd: string, args: string[], result: GitResult): GitError {
  const said = (result.stderr || result.stdout).trim();
  return new GitError(
    `git ${args.join(' ')} failed in ${cwd} (exit ${result.exitCode})${said ? `:\n${said}` : '.'}`,
  );
}

/** Why git did not start at all: not on PATH, or the system refused the process. */
function couldNotStart(cwd: string, args: string[], error: Error): GitError {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return gitMissing(error);
  return new GitError(`git ${args.join(' ')} could not run in ${cwd}: ${String(error)}`, { cause: error });
}

function gitMissing(cause: unknown): GitError {
  return new GitError('git was not found on PATH.', {
    hint: 'Install git 2.32 or newer (https://git-scm.com/downloads) and make sure `git --version` works in this shell.',
    cause,
  });
}
