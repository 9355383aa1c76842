import { GitError } from '../errors';
import { rememberCommit } from './repo';
import { execGit } from './run-git';

/** Blob ids by path are immutable for a commit: remember them for the life of the process. */
const treeCache = new Map<string, Map<string, string>>();

/**
 * Every file of `commit` below `cwd`, as path (relative to cwd, posix) → blob id.
 * Used to key a lane's cache on the content its agent starts from, without reading files.
 */
export async function listTreeBlobs(cwd: string, commit: string): Promise<Map<string, string>> {
  const key = `${cwd}\0${commit}`;
  const cached = treeCache.get(key);
  if (cached) return cached;
  const { stdout, stderr, exitCode } = await execGit(cwd, ['ls-tree', '-r', '-z', commit]);
  if (exitCode !== 0) throw new GitError(`Could not list the files of commit ${commit} in ${cwd}: ${stderr.trim()}`);
  const blobs = new Map<string, string>();
  for (const entry of stdout.split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [, type, id] = entry.slice(0, tab).split(' ');
    if (type === 'blob') blobs.set(entry.slice(tab + 1), id);
  }
  treeCache.set(key, blobs);
  return blobs;
}

/**
 * `rev` resolved to a commit id, or a GitError that says what is wrong and what to do. The
 * lane hasher calls this before any executor runs, and Nx prints only the `message` of a
 * hasher's error: so the message itself carries the next step.
 */
export async function resolveRevision(cwd: string, rev: string): Promise<{ commit: string; tree: string }> {
  // A rev from feature.jsonc must never be read as an option.
  if (rev.startsWith('-')) {
    throw new GitError(`The base "${rev}" in feature.jsonc looks like an option, not a commit. Set "base" to a branch, tag or commit id.`);
  }
  const { stdout, stderr, exitCode } = await execGit(cwd, ['rev-parse', `${rev}^{commit}`, `${rev}^{tree}`, '--']);
  if (exitCode === 0) {
    const [commit, tree] = stdout.trim().split('\n');
    rememberCommit(cwd, commit);
    return { commit, tree };
  }
  throw new GitError(await explainMissingRevision(cwd, rev, stderr), { cause: stderr.trim() });
}

async function explainMissingRevision(cwd: string, rev: string, stderr: string): Promise<string> {
  if (/not a git repository/i.test(stderr)) {
    return (
      `${cwd} is not inside a git repository, and nx-agent-lanes runs each lane in a git worktree. ` +
      'Run `git init`, commit your workspace (`git add -A && git commit -m "Initial commit"`), then run again.'
    );
  }
  const hasCommits = (await execGit(cwd, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])).exitCode === 0;
  if (!hasCommits && rev === 'HEAD') {
    return (
      `The git repository at ${cwd} has no commits yet, so the lanes have no base to start from. ` +
      'Commit your workspace first (`git add -A && git commit -m "Initial commit"`), then run again.'
    );
  }
  const shallow = (await execGit(cwd, ['rev-parse', '--is-shallow-repository'])).stdout.trim() === 'true';
  if (shallow) {
    return (
      `The base "${rev}" is not in this shallow clone at ${cwd}: its older commits were never fetched. ` +
      'Run `git fetch --unshallow` (in CI, check out with fetch-depth: 0), or change "base" in feature.jsonc.'
    );
  }
  return `The base "${rev}" is not a commit in the repository at ${cwd}. Fetch it (\`git fetch origin ${rev}\`) or change "base" in feature.jsonc.`;
}
