import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GitError } from '../errors';
import { applyLanePatch } from './lane-patch';
import { headCommit, resolveCommit } from './repo';
import { runGit } from './run-git';
import { currentProcessIdentity, isSameLiveProcess, type ProcessIdentity } from '../locks/process-identity';
import { withRepositoryLock } from './repository-lock';
import { deleteLaneBranch, listWorktrees, removeWorktreeDir } from './remove-worktree';
import { keepBaseIndex, type Wrote } from './reset-for-reuse';
import { claimPooledWorktree, poolDir, readPoolSize, resetClaimedWorktree, returnToPool, type WorktreePool } from './worktree-pool';
import {
  formatLockReason,
  isLaneWorktree,
  LANE_BRANCH_PREFIX,
  laneBranchName,
  parseLaneBranch,
  parseLockReason,
  type LaneOwner,
  type WorktreeKind,
} from './worktree-list';

export interface LaneWorktree {
  /** Absolute path of the worktree, outside the user's checkout. */
  path: string;
  /** Its branch, `agent-lanes/<feature>/<lane>/<runId>`. */
  branch: string;
  /** Full sha the worktree was created at. */
  baseCommit: string;
  /** Full sha the agent starts from: baseCommit plus one commit per applied patch. Capture against this. */
  startCommit: string;
  repoRoot: string;
  /** The pool it goes back to when released; absent when pooling is off. */
  pool?: WorktreePool;
  /** Whether it was a pooled worktree reset to the base rather than a new checkout. */
  reused?: boolean;
}

/** A patch to commit into a new worktree; a bare string gets a generic commit message. */
export type StartPatch = string | { patch: string; message: string };

export interface CreateWorktreeOptions {
  repoRoot: string;
  feature: string;
  lane: string;
  /** Default `lane`: what the worktree is for, recorded in its lock reason (only a lane's is rescued when its run dies). */
  kind?: WorktreeKind;
  /** A commit (or any rev) to start from. */
  baseCommit: string;
  /** Default: defaultWorktreesRoot(repoRoot). Must be outside the repository's working tree. */
  worktreesRoot?: string;
  /** Applied in order and committed, one commit each, e.g. the patches of the lanes this lane comes `after`. */
  patches?: StartPatch[];
  /** Default true: symlink <repoRoot>/node_modules into the worktree when it exists. */
  linkNodeModules?: boolean;
  /** Default `${process.pid}-${Date.now().toString(36)}`. */
  runId?: string;
  /** How many clean worktrees the repository keeps for reuse; 0 makes a new one every time. Default: readPoolSize(). */
  poolSize?: number;
}

/**
 * Where lane worktrees go: outside the workspace, so the user's `git status`, Nx's file watcher
 * and the TypeScript server never see them. One folder per repository, keyed by its git common
 * dir so every checkout of the same repository shares it. NX_AGENT_LANES_WORKTREES replaces it.
 */
export function defaultWorktreesRoot(repoRoot: string): string {
  const override = process.env.NX_AGENT_LANES_WORKTREES;
  if (override) return path.resolve(override);
  const key = createHash('sha1').update(readCommonDirSync(repoRoot)).digest('hex').slice(0, 10);
  return path.join(os.tmpdir(), 'nx-agent-lanes', `${path.basename(path.resolve(repoRoot))}-${key}`);
}

/** The git common dir, read from disk (this must stay synchronous); falls back to the root itself. */
function readCommonDirSync(repoRoot: string): string {
  const dotGit = path.join(repoRoot, '.git');
  try {
    if (fs.statSync(dotGit).isDirectory()) return fs.realpathSync(dotGit);
    // A linked worktree: `.git` is a file naming its private git dir, whose `commondir` names the shared one.
    const gitDir = path.resolve(repoRoot, /^gitdir: (.*)$/m.exec(fs.readFileSync(dotGit, 'utf8'))?.[1].trim() ?? '');
    const commonFile = path.join(gitDir, 'commondir');
    const common = fs.existsSync(commonFile) ? path.resolve(gitDir, fs.readFileSync(commonFile, 'utf8').trim()) : gitDir;
    return fs.realpathSync(common);
  } catch {
    return path.resolve(repoRoot);
  }
}

/**
 * Makes a locked worktree on a new branch at the base, links node_modules, and commits the
 * start patches. With a pool (see worktree-pool.ts), a clean worktree an earlier lane gave back
 * is taken instead and reset to the base: git then writes only the files that differ, not the
 * whole repository. The lock keeps `git worktree prune` (ours or the user's) off it while the
 * agent runs, and its reason names our process (pid and start time) so a crashed run's
 * worktree can be told apart. Touches only the new worktree, the new branch and the object store.
 */
export async function createLaneWorktree(o: CreateWorktreeOptions): Promise<LaneWorktree> {
  const baseCommit = await resolveCommit(o.repoRoot, o.baseCommit);
  const root = o.worktreesRoot ?? defaultWorktreesRoot(o.repoRoot);
  assertOutside(o.repoRoot, root);
  const runId = o.runId ?? `${process.pid}-${Date.now().toString(36)}`;
  const branch = laneBranchName(o.feature, o.lane, runId);
  const parent = path.join(root, o.feature);
  fs.mkdirSync(parent, { recursive: true });
  const wtPath = path.join(fs.realpathSync(parent), `${o.lane}-${runId}`);
  const reason = formatLockReason({ kind: o.kind ?? 'lane', ...currentProcessIdentity(), feature: o.feature, lane: o.lane });
  const poolSize = o.poolSize ?? readPoolSize();
  const pool = poolSize > 0 ? { dir: poolDir(fs.realpathSync(root)), size: poolSize } : undefined;
  // Until `worktree add` (or the claim of a pooled one) returns, the branch exists without a
  // worktree and the worktree without its lock: under the repository lock no prune of ours can
  // see either half-made. Without the checkout, which comes after, so that parallel lanes of a
  // large repository check out at once.
  const claimed = await withRepositoryLock(o.repoRoot, { task: `create the ${o.feature}/${o.lane} worktree` }, async () => {
    const pooled = pool && (await claimPooledWorktree({ repoRoot: o.repoRoot, pool, path: wtPath, branch, baseCommit, reason }));
    if (pooled) return pooled;
    await runGit(o.repoRoot, ['worktree', 'add', '-q', '--no-checkout', '--lock', '--reason', reason, '-b', branch, wtPath, baseCommit]);
    return undefined;
  });
  const reused = claimed !== undefined;
  const worktree: LaneWorktree = { path: wtPath, branch, baseCommit, startCommit: baseCommit, repoRoot: o.repoRoot, pool, reused };
  try {
    let wrote: Wrote = 'all';
    if (claimed) wrote = await resetClaimedWorktree(wtPath, claimed.pooledAt, baseCommit);
    else await runGit(wtPath, ['checkout', '-f', '-q']);
    // Files and index are the base's: what the return to the pool compares the worktree with.
    if (pool) keepBaseIndex(wtPath, wrote);
    if (o.linkNodeModules !== false) linkNodeModules(o.repoRoot, wtPath);
    const patches = o.patches ?? [];
    for (const [i, start] of patches.entries()) {
      const { patch, message } =
        typeof start === 'string' ? { patch: start, message: `nx-agent-lanes: start patch ${i + 1} of ${patches.length}` } : start;
      await applyLanePatch({ worktree: wtPath, patch, commitMessage: message });
    }
    // Without start patches HEAD is the new branch, at the base.
    if (patches.length) worktree.startCommit = await headCommit(wtPath);
    return worktree;
  } catch (error) {
    await removeLaneWorktree(worktree);
    throw error;
  }
}

function assertOutside(repoRoot: string, root: string): void {
  const real = (p: string) => {
    // The root may not exist yet: resolve its nearest existing ancestor.
    const missing: string[] = [];
    let dir = path.resolve(p);
    while (!fs.existsSync(dir) && path.dirname(dir) !== dir) {
      missing.unshift(path.basename(dir));
      dir = path.dirname(dir);
    }
    return path.join(fs.realpathSync(dir), ...missing);
  };
  const relative = path.relative(real(repoRoot), real(root));
  if (!relative.startsWith('..') && !path.isAbsolute(relative)) {
    throw new GitError(`Lane worktrees would go in ${root}, inside the repository at ${repoRoot}.`, {
      hint: 'Worktrees inside the checkout show up in your git status and Nx project graph: point NX_AGENT_LANES_WORKTREES (or worktreesRoot) outside it.',
    });
  }
}

/** Agents and lane tests need the workspace's dependencies; a symlink shares them without an install per lane. */
function linkNodeModules(repoRoot: string, worktree: string): void {
  const source = path.join(repoRoot, 'node_modules');
  const target = path.join(worktree, 'node_modules');
  if (!fs.existsSync(source) || fs.existsSync(target)) return;
  fs.symlinkSync(source, target, process.platform === 'win32' ? 'junction' : 'dir');
}

/** Removes the worktree (locked or not, with whatever is in it) and its branch. Idempotent. */
export async function removeLaneWorktree(wt: LaneWorktree): Promise<void> {
  if (!fs.existsSync(wt.repoRoot)) {
    fs.rmSync(wt.path, { recursive: true, force: true });
    return;
  }
  // `git branch -D` and `git worktree remove` read every worktree's administrative folder, and
  // fail ("failed to read .git/worktrees/<id>/commondir") on one another process is adding.
  await withRepositoryLock(wt.repoRoot, { task: `remove the ${path.basename(wt.path)} worktree` }, async () => {
    await removeWorktreeDir(wt.repoRoot, wt.path);
    await deleteLaneBranch(wt.repoRoot, wt.branch);
  });
}

/**
 * Ends a lane's use of its worktree: back to the pool, reset to its base with every untracked
 * and ignored file gone, when it has one, may be reused and is not full; removed with its branch
 * otherwise. `reuse: false` when a process of the lane may outlive it (no OS sandbox): one still
 * writing in a pooled worktree would write into the next lane's. Returns why a worktree that could
 * have been pooled was removed, for the log.
 */
export async function releaseLaneWorktree(wt: LaneWorktree, options: { reuse?: boolean } = {}): Promise<{ pooled: boolean; why?: string }> {
  let why: string | undefined;
  if (wt.pool && options.reuse !== false && fs.existsSync(wt.repoRoot)) {
    try {
      const returned = await returnToPool({ repoRoot: wt.repoRoot, path: wt.path, branch: wt.branch, baseCommit: wt.baseCommit, pool: wt.pool });
      if (returned.pooled) return returned;
      why = returned.why;
    } catch (error) {
      // Removal is what happens without a pool: a worktree that cannot be reset is simply not reused.
      why = error instanceof Error ? error.message : String(error);
    }
  }
  await removeLaneWorktree(wt);
  return { pooled: false, ...(why ? { why } : {}) };
}

/** The worktrees this plugin made in this repository, with the run and lane they belong to. */
export async function listLaneWorktrees(
  repoRoot: string,
): Promise<Array<{ path: string; branch?: string; pid?: number; kind?: WorktreeKind; feature?: string; lane?: string }>> {
  return (await listWorktrees(repoRoot)).filter(isLaneWorktree).map((entry) => {
    const owner = parseLockReason(entry.locked);
    const named = owner ?? parseLaneBranch(entry.branch);
    return { path: entry.path, branch: entry.branch, pid: owner?.pid, kind: owner?.kind, feature: named?.feature, lane: named?.lane };
  });
}


/** A dead run's worktree, about to be removed: its owner as its lock reason recorded it, and where it is. */
export interface StaleWorktree extends LaneOwner {
  path: string;
}

/**
 * Cleans up after crashed runs: our worktrees whose lock names a process that is gone (or a
 * zombie, or whose pid now names another process), git's records of worktrees whose folder is
 * gone (`git worktree prune`), and lane branches no worktree uses. All of it under the repository
 * lock, which every worktree creation also holds until its worktree is added and locked: so a
 * lane branch without a worktree here is an orphan, never one whose worktree is being made.
 * Returns the paths and branches it removed, to tell the user.
 */
export async function pruneStaleWorktrees(
  repoRoot: string,
  options: {
    /** Whether a worktree's owner still runs. Default: the same live process (pid and start time). */
    isAlive?: (owner: ProcessIdentity) => boolean;
    /** Called before a dead run's worktree is removed, to save what its agent had done. */
    rescue?: (stale: StaleWorktree) => Promise<void>;
  } = {},
): Promise<string[]> {
  const isAlive = options.isAlive ?? ((owner: ProcessIdentity) => isSameLiveProcess(owner));
  return withRepositoryLock(repoRoot, { task: 'prune stale lane worktrees' }, async () => {
    const removed: string[] = [];
    for (const entry of await listWorktrees(repoRoot)) {
      const owner = parseLockReason(entry.locked);
      if (!owner || isAlive(owner)) continue;
      if (options.rescue && fs.existsSync(entry.path)) await options.rescue({ path: entry.path, ...owner });
      await removeWorktreeDir(repoRoot, entry.path);
      removed.push(entry.path);
    }
    await runGit(repoRoot, ['worktree', 'prune']);
    const inUse = new Set((await listWorktrees(repoRoot)).map((entry) => entry.branch));
    const refs = await runGit(repoRoot, ['for-each-ref', '--format=%(refname)', `refs/heads/${LANE_BRANCH_PREFIX}`]);
    for (const ref of refs.split('\n').filter(Boolean)) {
      const branch = ref.replace(/^refs\/heads\//, '');
      if (inUse.has(branch)) continue;
      await deleteLaneBranch(repoRoot, branch);
      removed.push(branch);
    }
    return removed;
  });
}
