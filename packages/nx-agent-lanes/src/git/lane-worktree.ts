import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GitError } from '../errors';
import { applyLanePatch } from './lane-patch';
import { headCommit, resolveCommit } from './repo';
import { commandFailed, execGit, runGit } from './run-git';
import { currentProcessIdentity, isSameLiveProcess, type ProcessIdentity } from '../locks/process-identity';
import { withRepositoryLock } from './repository-lock';
import {
  formatLockReason,
  isLaneWorktree,
  LANE_BRANCH_PREFIX,
  laneBranchName,
  parseLaneBranch,
  parseLockReason,
  parseWorktreeList,
  type LaneOwner,
  type WorktreeEntry,
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
 * start patches. The lock keeps `git worktree prune` (ours or the user's) off it while the
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
  // Until `worktree add` returns, the branch exists without a worktree and the worktree without
  // its lock: under the repository lock no prune of ours can see either half-made. Without the
  // checkout, which comes after, so that parallel lanes of a large repository check out at once.
  await withRepositoryLock(o.repoRoot, { task: `create the ${o.feature}/${o.lane} worktree` }, () =>
    runGit(o.repoRoot, ['worktree', 'add', '-q', '--no-checkout', '--lock', '--reason', reason, '-b', branch, wtPath, baseCommit]),
  );
  const worktree: LaneWorktree = { path: wtPath, branch, baseCommit, startCommit: baseCommit, repoRoot: o.repoRoot };
  try {
    await runGit(wtPath, ['checkout', '-f', '-q']);
    if (o.linkNodeModules !== false) linkNodeModules(o.repoRoot, wtPath);
    const patches = o.patches ?? [];
    for (const [i, start] of patches.entries()) {
      const { patch, message } =
        typeof start === 'string' ? { patch: start, message: `nx-agent-lanes: start patch ${i + 1} of ${patches.length}` } : start;
      await applyLanePatch({ worktree: wtPath, patch, commitMessage: message });
    }
    worktree.startCommit = await headCommit(wtPath);
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

/** `--force` twice removes a locked worktree with changes, and works when its folder is already gone. */
async function removeWorktreeDir(repoRoot: string, worktreePath: string): Promise<void> {
  const args = ['worktree', 'remove', '--force', '--force', worktreePath];
  const result = await execGit(repoRoot, args);
  if (result.exitCode !== 0 && !/is not a working tree/.test(result.stderr)) throw commandFailed(repoRoot, args, result);
  // Not registered (a half-made worktree): the folder is still ours to delete, never the checkout or a part of it.
  if (fs.existsSync(worktreePath) && !overlaps(worktreePath, repoRoot)) {
    fs.rmSync(worktreePath, { recursive: true, force: true });
  }
}

function overlaps(a: string, b: string): boolean {
  const inside = (child: string, parent: string) => !path.relative(parent, child).startsWith('..');
  return inside(path.resolve(a), path.resolve(b)) || inside(path.resolve(b), path.resolve(a));
}

async function deleteLaneBranch(repoRoot: string, branch: string): Promise<void> {
  if (!branch.startsWith(LANE_BRANCH_PREFIX)) return;
  const args = ['branch', '-D', branch];
  const result = await execGit(repoRoot, args);
  if (result.exitCode !== 0 && !/not found/.test(result.stderr)) throw commandFailed(repoRoot, args, result);
}

async function listWorktrees(repoRoot: string): Promise<WorktreeEntry[]> {
  return parseWorktreeList(await runGit(repoRoot, ['worktree', 'list', '--porcelain']));
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
