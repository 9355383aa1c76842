import * as fs from 'node:fs';
import * as path from 'node:path';
import { GitError } from '../errors';
import { deleteLaneBranch, listWorktrees, removeWorktreeDir } from './remove-worktree';
import { resetForReuse, restorePaths, type Wrote } from './reset-for-reuse';
import { withRepositoryLock } from './repository-lock';
import { execGit, runGit } from './run-git';
import { worktreeAdminDir } from './worktree-admin-dir';
import type { WorktreeEntry } from './worktree-list';

/**
 * A pool of clean, detached worktrees per repository, so a lane's worktree costs a checkout of
 * what differs from the last lane's base instead of a checkout of the whole repository. The
 * repository lock is the pool's lock: claiming, returning and emptying all hold it, as do
 * worktree creation and prune, so none of them sees a worktree half moved. A pooled worktree is
 * detached in `<worktreesRoot>/.pool/` (no feature name starts with a dot) and locked with
 * POOL_LOCK_REASON: it names the plugin, so the repository watch never takes it for one of the
 * user's worktrees (whose HEAD a lane must not move), and it names no process, so prune leaves it.
 * A claimed one is moved to the lane's own path and locked with the lane's owner before the lock
 * is let go, so a run killed while holding it leaves a stale lane worktree that prune removes.
 */

export const POOL_SIZE_ENV = 'NX_AGENT_LANES_POOL_SIZE';
/** Nx runs 3 tasks at once by default, each holding one worktree; one more for `--parallel=4`. */
export const DEFAULT_POOL_SIZE = 4;
export const POOL_LOCK_REASON = 'nx-agent-lanes pool';

/** Where a worktree goes back for reuse, and how many clean worktrees the pool keeps at most. */
export interface WorktreePool {
  dir: string;
  size: number;
}

/** NX_AGENT_LANES_POOL_SIZE: how many clean worktrees to keep; 0 makes and removes a worktree per lane. */
export function readPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[POOL_SIZE_ENV]?.trim();
  if (raw === undefined || raw === '') return DEFAULT_POOL_SIZE;
  if (!/^\d+$/.test(raw)) {
    throw new GitError(`${POOL_SIZE_ENV} is "${raw}", not a whole number.`, {
      hint: `Set it to how many clean worktrees to keep for reuse (default ${DEFAULT_POOL_SIZE}), or 0 to make a fresh worktree for every lane.`,
    });
  }
  return Number(raw);
}

export function poolDir(worktreesRoot: string): string {
  return path.join(worktreesRoot, '.pool');
}

/**
 * The repository's worktrees locked as the pool's: `free` ones in the pool folder, detached, on
 * disk; `gone` ones whose folder a temp cleaner removed, or that a killed process left outside it.
 */
async function listPooled(repoRoot: string, dir: string): Promise<{ free: WorktreeEntry[]; gone: WorktreeEntry[] }> {
  const real = fs.existsSync(dir) ? fs.realpathSync(dir) : path.resolve(dir);
  const pooled = (await listWorktrees(repoRoot)).filter((entry) => entry.locked === POOL_LOCK_REASON);
  const isFree = (entry: WorktreeEntry) => path.dirname(entry.path) === real && entry.detached && fs.existsSync(path.join(entry.path, '.git'));
  return { free: pooled.filter(isFree), gone: pooled.filter((entry) => !isFree(entry)) };
}

/**
 * Changes a worktree's lock reason in one step: git keeps it in `<admin dir>/locked` (git-worktree(1),
 * DETAILS), and `git worktree unlock` then `lock` would show it unlocked in between, to the
 * repository watch as one of the user's worktrees.
 */
async function relockWorktree(repoRoot: string, worktree: string, reason: string): Promise<void> {
  const lockFile = path.join(await worktreeAdminDir(repoRoot, worktree), 'locked');
  fs.writeFileSync(`${lockFile}.${process.pid}.tmp`, reason);
  fs.renameSync(`${lockFile}.${process.pid}.tmp`, lockFile);
}

export interface ClaimOptions {
  repoRoot: string;
  pool: WorktreePool;
  /** Where the lane's worktree goes; must not exist. */
  path: string;
  branch: string;
  baseCommit: string;
  /** The lane's lock reason, naming its owner. */
  reason: string;
}

/**
 * Takes a pooled worktree for a lane: moves it to the lane's path, locks it with the lane's
 * owner, and points its HEAD at a new branch at the base, without touching its files (see
 * resetClaimedWorktree). The caller holds the repository lock. Returns the commit the worktree
 * was pooled at (what its index and files hold), or undefined when none is free; one that
 * cannot be taken is removed.
 */
export async function claimPooledWorktree(o: ClaimOptions): Promise<{ pooledAt?: string } | undefined> {
  const { free: [free], gone } = await listPooled(o.repoRoot, o.pool.dir);
  // Their lock keeps `git worktree prune` off them, so they are dropped here.
  for (const entry of gone) await removeWorktreeDir(o.repoRoot, entry.path);
  if (!free) return undefined;
  let at = free.path;
  try {
    // The lane's lock first: a process killed before the move leaves a stale lane worktree, which prune removes.
    await relockWorktree(o.repoRoot, free.path, o.reason);
    // --force twice moves a locked worktree.
    await runGit(o.repoRoot, ['worktree', 'move', '--force', '--force', free.path, o.path]);
    at = o.path;
    await runGit(o.repoRoot, ['branch', '--no-track', o.branch, o.baseCommit]);
    await runGit(o.path, ['symbolic-ref', 'HEAD', `refs/heads/${o.branch}`]);
    return { pooledAt: free.head };
  } catch {
    // A pooled worktree someone changed under us: not worth the lane's failure, a fresh one is made instead.
    await removeWorktreeDir(o.repoRoot, at);
    await deleteLaneBranch(o.repoRoot, o.branch);
    return undefined;
  }
}

/**
 * Makes a claimed worktree's index and files those of its HEAD, `baseCommit`. returnToPool left
 * it as a fresh checkout of `pooledAt`. When that is the base, only a file that has gone since
 * needs writing: a temp cleaner (systemd-tmpfiles ages out /tmp) may have removed files while it
 * was pooled, so `git diff-files` compares every tracked file with the disk (one walk of
 * `lstat`s, no write) and those it lists are restored. Nothing adds files to a pooled worktree:
 * the pool's folder is the plugin's, and a lane whose processes may outlive it never gives its
 * worktree back (releaseLaneWorktree's `reuse`). When the base moved, `reset --hard` writes what
 * the two commits differ in (a restore of those paths matches every pathspec against every
 * index entry, slower on a large repository), and a clean follows; so it does when git refuses
 * a step or the pooled commit is unknown. Returns what it wrote, for keepBaseIndex.
 */
export async function resetClaimedWorktree(worktree: string, pooledAt: string | undefined, baseCommit: string): Promise<Wrote> {
  const restored = pooledAt === baseCommit && (await restoreGoneFiles(worktree, baseCommit));
  if (restored) return restored;
  await runGit(worktree, ['reset', '--hard', '-q']);
  await runGit(worktree, ['clean', '-ffdxq']);
  return 'all';
}

async function restoreGoneFiles(worktree: string, baseCommit: string): Promise<Wrote | false> {
  const listed = await execGit(worktree, ['diff-files', '--name-only', '-z']);
  if (listed.exitCode !== 0) return false;
  const gone = new Set(listed.stdout.split('\0').filter(Boolean));
  return (await restorePaths(worktree, baseCommit, gone)) && gone;
}

/**
 * Resets a lane's worktree and gives it back to the pool (detached at its base, locked as the
 * pool's, its branch deleted). Returns `pooled: false` and why, leaving the worktree to the caller to
 * remove, when it could not be reset to a fresh worktree's state or the pool is full.
 */
export async function returnToPool(o: {
  repoRoot: string;
  path: string;
  branch: string;
  baseCommit: string;
  pool: WorktreePool;
}): Promise<{ pooled: boolean; why?: string }> {
  // A full pool takes nothing: no reset of a worktree that is removed anyway (checked again below).
  // Every free worktree is a folder of the pool's: fewer folders than its size, and it is not full.
  const mayBeFull = () => (fs.existsSync(o.pool.dir) ? fs.readdirSync(o.pool.dir).length : 0) >= o.pool.size;
  const isFull = async () => mayBeFull() && (await listPooled(o.repoRoot, o.pool.dir)).free.length >= o.pool.size;
  if (mayBeFull() && (await withRepositoryLock(o.repoRoot, { task: 'count the pooled worktrees' }, isFull))) return { pooled: false };
  const obstacle = await resetForReuse(o);
  if (obstacle) return { pooled: false, why: obstacle };
  return withRepositoryLock(o.repoRoot, { task: `return the ${path.basename(o.path)} worktree to the pool` }, async () => {
    if (await isFull()) return { pooled: false };
    fs.mkdirSync(o.pool.dir, { recursive: true });
    let slot = path.join(fs.realpathSync(o.pool.dir), path.basename(o.path));
    for (let n = 2; fs.existsSync(slot); n++) slot = path.join(path.dirname(slot), `${path.basename(o.path)}-${n}`);
    // Moved still locked as the lane's, so a process killed before the lock below leaves a stale lane worktree.
    await runGit(o.repoRoot, ['worktree', 'move', '--force', '--force', o.path, slot]);
    await relockWorktree(o.repoRoot, slot, POOL_LOCK_REASON);
    await deleteLaneBranch(o.repoRoot, o.branch);
    return { pooled: true };
  });
}

/** Removes every pooled worktree of this repository (a shared NX_AGENT_LANES_WORKTREES may hold other repositories' too). Returns the paths removed. */
export async function emptyWorktreePool(repoRoot: string, pool: Pick<WorktreePool, 'dir'>): Promise<string[]> {
  return withRepositoryLock(repoRoot, { task: 'empty the worktree pool' }, async () => {
    const removed: string[] = [];
    const { free, gone } = await listPooled(repoRoot, pool.dir);
    for (const entry of [...free, ...gone]) {
      await removeWorktreeDir(repoRoot, entry.path);
      removed.push(entry.path);
    }
    if (fs.existsSync(pool.dir) && fs.readdirSync(pool.dir).length === 0) fs.rmdirSync(pool.dir);
    return removed;
  });
}
