import { GitError } from '../errors';
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

/** `rev` resolved to a commit id, or a GitError that says where `rev` came from. */
export async function resolveRevision(cwd: string, rev: string): Promise<{ commit: string; tree: string }> {
  // A rev from feature.jsonc must never be read as an option.
  const { stdout, stderr, exitCode } = rev.startsWith('-')
    ? { stdout: '', stderr: 'not a revision', exitCode: 1 }
    : await execGit(cwd, ['rev-parse', `${rev}^{commit}`, `${rev}^{tree}`, '--']);
  if (exitCode === 0) {
    const [commit, tree] = stdout.trim().split('\n');
    return { commit, tree };
  }
  throw new GitError(`The base "${rev}" is not a commit in the repository at ${cwd}.`, {
    hint: rev === 'HEAD'
      ? 'Make a first commit: lanes start from committed code.'
      : `Fetch it (git fetch origin ${rev}) or change "base" in feature.jsonc.`,
    cause: stderr.trim(),
  });
}
