import { LANES_GIT_DIR } from '../layout/paths';
import { join } from 'node:path';
import { waitForLockFile, type LockHolder } from '../locks/lock-file';
import { gitCommonDir } from './repo';

/** Long enough for a prune that saves a few killed agents' work first; a held lock normally lasts a git command or two. */
const DEFAULT_TIMEOUT_MS = 120_000;

export interface RepositoryLockOptions {
  /** What the holder is doing, for the message another process shows while it waits too long. */
  task: string;
  timeoutMs?: number;
}

/**
 * Runs `fn` while holding the repository's lane lock, one process of the repository at a time.
 * Parallel lanes need it because `git worktree prune` run while another process's `git worktree
 * add` is half done removes the new worktree's administrative folder (git then fails with "failed
 * to read .git/worktrees/<id>/commondir"), and two prunes removing the same dead worktree make
 * the slower one fail. git itself offers no lock for this. The file lives in the git common dir,
 * shared by every checkout, beside the lane locks but not among them; a dead holder's lock is
 * taken over.
 */
export async function withRepositoryLock<T>(repoRoot: string, options: RepositoryLockOptions, fn: () => Promise<T>): Promise<T> {
  const file = join(await gitCommonDir(repoRoot), LANES_GIT_DIR, 'repository.lock');
  const lock = await waitForLockFile<LockHolder>({ file, record: { task: options.task }, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
