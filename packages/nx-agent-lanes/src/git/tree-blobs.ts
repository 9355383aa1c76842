import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GitError } from '../errors';

const run = promisify(execFile);

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
  let stdout: string;
  try {
    ({ stdout } = await run('git', ['ls-tree', '-r', '-z', commit], { cwd, maxBuffer: 1024 * 1024 * 1024 }));
  } catch (error) {
    throw new GitError(`Could not list the files of commit ${commit} in ${cwd}.`, { cause: error });
  }
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
  try {
    const { stdout } = await run('git', ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`, `${rev}^{tree}`], { cwd });
    const [commit, tree] = stdout.trim().split('\n');
    return { commit, tree };
  } catch (error) {
    throw new GitError(`The base "${rev}" is not a commit in the repository at ${cwd}.`, {
      hint: rev === 'HEAD'
        ? 'Make a first commit: lanes start from committed code.'
        : `Fetch it (git fetch origin ${rev}) or change "base" in feature.jsonc.`,
      cause: error,
    });
  }
}
