/**
 * Pure naming and parsing for the worktrees this plugin owns: their branches, their lock
 * reasons, and `git worktree list --porcelain`. No I/O here.
 */
import { unquoteGitString } from './patch-files';

/** Every lane branch lives under this prefix, so prune can find leftovers without touching the user's branches. */
export const LANE_BRANCH_PREFIX = 'agent-lanes/';
const LOCK_REASON_PREFIX = 'nx-agent-lanes ';

export interface LaneOwner {
  pid: number;
  feature: string;
  lane: string;
}

/** `agent-lanes/<feature>/<lane>/<runId>`: one branch per run, so parallel runs never collide. */
export function laneBranchName(feature: string, lane: string, runId: string): string {
  return `${LANE_BRANCH_PREFIX}${feature}/${lane}/${runId}`;
}

/** The lock reason names the owning process so a later run can tell a crashed run's worktree from a live one. */
export function formatLockReason(owner: LaneOwner): string {
  return `${LOCK_REASON_PREFIX}pid=${owner.pid} feature=${owner.feature} lane=${owner.lane}`;
}

export function parseLockReason(reason: string | undefined): LaneOwner | undefined {
  const match = reason === undefined ? null : /^nx-agent-lanes pid=(\d+) feature=(\S+) lane=(\S+)/.exec(reason);
  return match ? { pid: Number(match[1]), feature: match[2], lane: match[3] } : undefined;
}

/** Feature and lane from a lane branch; the feature may itself contain slashes. */
export function parseLaneBranch(branch: string | undefined): { feature: string; lane: string } | undefined {
  if (!branch?.startsWith(LANE_BRANCH_PREFIX)) return undefined;
  const parts = branch.slice(LANE_BRANCH_PREFIX.length).split('/');
  if (parts.length < 3) return undefined;
  return { feature: parts.slice(0, -2).join('/'), lane: parts[parts.length - 2] };
}

export interface WorktreeEntry {
  path: string;
  head?: string;
  /** Short branch name (without refs/heads/), when one is checked out. */
  branch?: string;
  bare: boolean;
  detached: boolean;
  /** Present when locked: the reason, or '' when none was given. */
  locked?: string;
  /** Present when git would prune it (its directory is gone). */
  prunable?: string;
}

/**
 * Parses `git worktree list --porcelain` (without -z, which git before 2.36 lacks).
 * git quotes a reason only when it holds special characters.
 */
export function parseWorktreeList(output: string): WorktreeEntry[] {
  const entries: WorktreeEntry[] = [];
  let current: WorktreeEntry | undefined;
  for (const line of output.split('\n')) {
    const space = line.indexOf(' ');
    const key = space < 0 ? line : line.slice(0, space);
    const value = space < 0 ? '' : line.slice(space + 1);
    if (key === 'worktree') {
      current = { path: value, bare: false, detached: false };
      entries.push(current);
    } else if (!current) {
      continue;
    } else if (key === 'HEAD') {
      current.head = value;
    } else if (key === 'branch') {
      current.branch = value.replace(/^refs\/heads\//, '');
    } else if (key === 'bare') {
      current.bare = true;
    } else if (key === 'detached') {
      current.detached = true;
    } else if (key === 'locked') {
      current.locked = unquoteGitString(value)?.value ?? value;
    } else if (key === 'prunable') {
      current.prunable = unquoteGitString(value)?.value ?? value;
    }
  }
  return entries;
}

/** True for a worktree this plugin made: named by its lock reason or its branch. */
export function isLaneWorktree(entry: WorktreeEntry): boolean {
  return parseLockReason(entry.locked) !== undefined || parseLaneBranch(entry.branch) !== undefined;
}
