import * as fs from 'node:fs';
import { GitError as SimpleGitError, simpleGit } from 'simple-git';
import { GitError } from '../errors';

/** What one git command printed and how it ended. */
export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ExecGitOptions {
  /** Written to git's standard input (e.g. a patch for `git apply`). */
  input?: string;
}

/**
 * Carries the exit code and both streams through simple-git's error plumbing: by default
 * simple-git treats a non-zero exit with an empty stderr (`rev-parse --verify --quiet`) as
 * success and flattens the rest into a message, and it only keeps errors of its own class.
 */
class GitExit extends SimpleGitError {
  constructor(readonly result: GitResult) {
    super(undefined, result.stderr || `git exited with code ${result.exitCode}`);
  }
}

/**
 * Keys simple-git's environment guard refuses when passed explicitly (every GIT_* key plus
 * these): they are dropped, not forwarded. Dropping GIT_DIR, GIT_INDEX_FILE and GIT_WORK_TREE
 * matters beyond the guard: inherited from a git hook, they would point our commands at the
 * user's own index and checkout.
 */
const GUARDED_PLAIN_KEYS = new Set(['editor', 'visual', 'pager', 'prefix', 'ssh_askpass']);

function buildGitEnv(): NodeJS.ProcessEnv {
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

/**
 * Parallel lanes run git in one repository at once: creating, deleting and moving refs and
 * worktrees takes short-lived `.lock` files, and git fails at once rather than wait when another
 * process holds one. Such a failure changed nothing, so it is safe to try again.
 */
const LOCK_CONTENTION = /Unable to create '[^']*\.lock': File exists|could not lock config file/;
const LOCK_RETRIES = [50, 100, 200, 400, 800, 1600];

/** Runs `git <args>` in `cwd` and reports how it ended; never throws for a non-zero exit. */
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
  const input = options.input;
  const git = simpleGit({
    baseDir: cwd,
    allowEnvironment: ['GIT_TERMINAL_PROMPT'],
    ...(input === undefined ? {} : { input: () => input }),
    errors: (error, result) => {
      if (result.exitCode === 0) return error;
      return new GitExit({
        stdout: Buffer.concat(result.stdOut).toString('utf8'),
        stderr: Buffer.concat(result.stdErr).toString('utf8'),
        exitCode: result.exitCode,
      });
    },
  }).env(buildGitEnv());
  try {
    const stdout = await git.raw(args);
    return { stdout, stderr: '', exitCode: 0 };
  } catch (error) {
    if (error instanceof GitExit) {
      if (/spawn \S+ ENOENT/.test(error.result.stderr)) throw gitMissing(error);
      return error.result;
    }
    throw new GitError(`git ${args.join(' ')} could not run in ${cwd}: ${String(error)}`, { cause: error });
  }
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

function gitMissing(cause: unknown): GitError {
  return new GitError('git was not found on PATH.', {
    hint: 'Install git 2.32 or newer (https://git-scm.com/downloads) and make sure `git --version` works in this shell.',
    cause,
  });
}
