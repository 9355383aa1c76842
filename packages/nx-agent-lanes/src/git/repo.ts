import * as path from 'node:path';
import { GitError } from '../errors';
import { commandFailed, execGit, runGit } from './run-git';

/** The top of the git checkout that contains `cwd`; GitError when there is none. */
export async function findRepoRoot(cwd: string): Promise<string> {
  const key = path.resolve(cwd);
  const known = repoRoots.get(key);
  if (known) return known;
  // Parallel lanes of a batch ask at once: one git process answers them all.
  const asked = askedRoots.get(key) ?? askRepoRoot(cwd).finally(() => askedRoots.delete(key));
  askedRoots.set(key, asked);
  return asked;
}

async function askRepoRoot(cwd: string): Promise<string> {
  // The common dir comes with it: every caller asks for it next (see gitCommonDir).
  const args = ['rev-parse', '--show-toplevel', '--git-common-dir'];
  const result = await execGit(cwd, args);
  const [top, commonDir] = result.stdout.split('\n');
  if (result.exitCode === 0 && top && commonDir) {
    commonDirs.set(top, path.resolve(cwd, commonDir));
    repoRoots.set(path.resolve(cwd), top);
    return top;
  }
  if (/not a git repository/i.test(result.stderr)) {
    throw new GitError(`${cwd} is not inside a git repository.`, {
      hint: 'nx-agent-lanes runs each lane in a git worktree: run `git init` and commit your workspace, or run from inside its checkout.',
    });
  }
  if (/must be run in a work tree/i.test(result.stderr)) {
    throw new GitError(`${cwd} is inside a bare git repository, which has no checkout to work from.`, {
      hint: 'Run from a normal clone of the repository.',
    });
  }
  throw commandFailed(cwd, args, result);
}

/** The full sha of `rev` as a commit; GitError naming the rev, with what to do, when it is not there. */
export async function resolveCommit(repoRoot: string, rev: string): Promise<string> {
  const sha = await tryResolveCommit(repoRoot, rev);
  if (sha) return sha;
  const shallow = (await execGit(repoRoot, ['rev-parse', '--is-shallow-repository'])).stdout.trim() === 'true';
  const hint = shallow
    ? `This is a shallow clone, so older commits are missing: run \`git fetch --unshallow\` (in CI: checkout with fetch-depth 0), or fix "base" in feature.jsonc.`
    : `Fetch it (\`git fetch origin ${rev}\`) or fix "base" in feature.jsonc.`;
  throw new GitError(`The commit "${rev}" does not exist in ${repoRoot}.`, { hint });
}

/** The full sha of HEAD; GitError when the repository has no commit yet. */
export async function headCommit(repoRoot: string): Promise<string> {
  const sha = await tryResolveCommit(repoRoot, 'HEAD');
  if (sha) return sha;
  throw new GitError(`The git repository at ${repoRoot} has no commits yet, so there is no base for lanes to start from.`, {
    hint: 'Commit your workspace first, e.g. `git add -A && git commit -m "Initial commit"`.',
  });
}

/** The full sha of `rev` peeled to a commit, or undefined. */
export async function tryResolveCommit(repoRoot: string, rev: string): Promise<string | undefined> {
  if (knownCommits.get(path.resolve(repoRoot))?.has(rev)) return rev;
  // --end-of-options: a rev taken from feature.jsonc must never be read as an option.
  const result = await execGit(repoRoot, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
  const sha = result.stdout.trim();
  if (result.exitCode !== 0 || !FULL_SHA.test(sha)) return undefined;
  rememberCommit(repoRoot, sha);
  return sha;
}

const FULL_SHA = /^[0-9a-f]{40,64}$/;

/**
 * Commit ids git resolved in a folder, this process: a lane resolves its base for its cache key,
 * then makes its worktree at that id, which need not be asked again. Only full ids are kept,
 * so a branch name is always resolved afresh.
 */
const knownCommits = new Map<string, Set<string>>();

/** Records that git resolved `sha` to a commit in `cwd` (see knownCommits). */
export function rememberCommit(cwd: string, sha: string): void {
  if (!FULL_SHA.test(sha)) return;
  const key = path.resolve(cwd);
  const known = knownCommits.get(key) ?? new Set<string>();
  knownCommits.set(key, known.add(sha));
}

/** The absolute directory every worktree of this repository shares (`.git` of the main checkout). */
export async function gitCommonDir(repoRoot: string): Promise<string> {
  const known = commonDirs.get(repoRoot);
  if (known) return known;
  const dir = path.resolve(repoRoot, (await runGit(repoRoot, ['rev-parse', '--git-common-dir'])).trim());
  commonDirs.set(repoRoot, dir);
  return dir;
}

/**
 * A checkout's common dir never changes, and a lane asks for it a dozen times (locks, the pool,
 * prune, worktree checks): one git process per folder and process instead. Only answers are kept.
 */
const commonDirs = new Map<string, string>();

/** Each folder's checkout top, once found: a batch process asks for it once per task. Only answers are kept. */
const repoRoots = new Map<string, string>();
const askedRoots = new Map<string, Promise<string>>();
