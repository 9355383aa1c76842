/**
 * Pure naming and parsing for the worktrees this plugin owns: their branches, their lock
 * reasons, and `git worktree list --porcelain`. No I/O here.
 */
import type { ProcessIdentity } from '../locks/process-identity';
import { unquoteGitString } from './patch-files';

/** Every lane branch lives under this prefix, so prune can find leftovers without touching the user's branches. */
export const LANE_BRANCH_PREFIX = 'agent-lanes/';
const LOCK_REASON_PREFIX = 'nx-agent-lanes ';

/**
 * What a worktree is for. Only a `lane` worktree holds an agent's work worth saving when its run
 * dies; `verify` and `integration` ones hold copies of patches that are already artifacts. Recorded
 * explicitly because a lane's name says nothing: a lane may be called `verify-export`.
 */
export type WorktreeKind = 'lane' | 'verify' | 'integration';
const KINDS: readonly WorktreeKind[] = ['lane', 'verify', 'integration'];

/** The process that owns a worktree (pid and, where known, start time and boot id), and what the worktree is. */
export interface LaneOwner extends ProcessIdentity {
  kind: WorktreeKind;
  feature: string;
  lane: string;
}

/** `agent-lanes/<feature>/<lane>/<runId>`: one branch per run, so parallel runs never collide. */
export function laneBranchName(feature: string, lane: string, runId: string): string {
  return `${LANE_BRANCH_PREFIX}${feature}/${lane}/${runId}`;
}

/**
 * The lock reason names the owning process, by pid and start time, so a later run can tell a
 * crashed run's worktree from a live one even once the pid is reused, and says what the worktree is for.
 */
export function formatLockReason(owner: LaneOwner): string {
  const fields = [
    `kind=${owner.kind}`,
    `pid=${owner.pid}`,
    owner.startTime === undefined ? undefined : `start=${owner.startTime}`,
    owner.bootId === undefined ? undefined : `boot=${owner.bootId}`,
    `feature=${owner.feature}`,
    `lane=${owner.lane}`,
  ];
  return LOCK_REASON_PREFIX + fields.filter(Boolean).join(' ');
}

/**
 * Reads a lock reason back, in any order of its fields. A reason written before the kind and
 * start time were recorded (`nx-agent-lanes pid=1 feature=f lane=l`) reads as a lane's, so what
 * its agent did is saved rather than lost, with its pid alone to trust.
 */
export function parseLockReason(reason: string | undefined): LaneOwner | undefined {
  if (!reason?.startsWith(LOCK_REASON_PREFIX)) return undefined;
  const fields = new Map<string, string>();
  for (const token of reason.slice(LOCK_REASON_PREFIX.length).trim().split(/\s+/)) {
    const eq = token.indexOf('=');
    if (eq > 0 && !fields.has(token.slice(0, eq))) fields.set(token.slice(0, eq), token.slice(eq + 1));
  }
  const pid = Number(fields.get('pid'));
  const feature = fields.get('feature');
  const lane = fields.get('lane');
  const kind = (fields.get('kind') ?? 'lane') as WorktreeKind;
  const start = fields.get('start');
  const boot = fields.get('boot');
  if (!Number.isInteger(pid) || pid <= 0 || !feature || !lane || !KINDS.includes(kind)) return undefined;
  if (start !== undefined && !/^\d+$/.test(start)) return undefined;
  return { kind, pid, ...(start === undefined ? {} : { startTime: start }), ...(boot ? { bootId: boot } : {}), feature, lane };
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
