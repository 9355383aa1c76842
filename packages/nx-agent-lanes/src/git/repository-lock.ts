import { LANES_GIT_DIR } from '../layout/paths';
import { join } from 'node:path';
import { LanesError } from '../errors';
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
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = Date.now();
  const turn = await waitForTurn(file, options.task, timeoutMs);
  try {
    const remaining = Math.max(0, timeoutMs - (Date.now() - started));
    const lock = await waitForLockFile<LockHolder>({ file, record: { task: options.task }, timeoutMs: remaining });
    try {
      return await fn();
    } finally {
      lock.release();
    }
  } finally {
    turn.done();
  }
}

/** The callers of this process queued for each lock file, the last one's task and turn. */
const queues = new Map<string, { task: string; ended: Promise<void> }>();

/**
 * Queues the callers of one process for the lock file, so that only one of them at a time waits
 * on the file: a batch's lanes take turns without polling it, and the next one goes the moment
 * the last lets go instead of after its next poll. Gives up, naming what holds it, after
 * `timeoutMs`, as the file lock does.
 */
async function waitForTurn(file: string, task: string, timeoutMs: number): Promise<{ done: () => void }> {
  const before = queues.get(file);
  let done!: () => void;
  const ended = new Promise<void>((resolve) => (done = resolve));
  const mine = { task, ended: (before?.ended ?? Promise.resolve()).then(() => ended) };
  queues.set(file, mine);
  const finish = () => {
    done();
    if (queues.get(file) === mine) queues.delete(file);
  };
  if (!before) return { done: finish };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      before.ended,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(
            new LanesError(`Waited ${Math.round(timeoutMs / 1000)} s for ${file}, which this process holds to ${before.task}, to ${task}.`, {
              hint: 'A git command of the plugin hangs: stop the run, and look for a git process waiting for input or a lock.',
            }),
          );
        }, timeoutMs);
      }),
    ]);
  } catch (error) {
    // Those queued after this caller still wait for the ones before it.
    before.ended.then(finish, finish);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { done: finish };
}
