import { LanesError } from '../errors';
import { checkWorkspacePath } from './check-workspace-path';
import { matchesAny, matchPattern, normalizePattern } from './match-pattern';

/** What ownership needs of a lane; a feature's Lane is one. */
export interface OwnershipLane {
  name: string;
  owns: readonly string[];
  forbids: readonly string[];
}

/**
 * What ownership needs of a plan: every lane, so a path can be named as another lane's, and
 * the plan's name and file for messages. A Feature is one; the write tools build one from
 * the ownership their provider was given.
 */
export interface OwnershipPlan {
  name: string;
  file: string;
  lanes: readonly OwnershipLane[];
}

export type OwnershipViolationReason =
  | 'not-owned'
  | 'forbidden'
  | 'owned-by-other-lane'
  | 'outside-workspace'
  | 'protected';

export interface OwnershipViolation {
  /** The changed path, as given. */
  path: string;
  reason: OwnershipViolationReason;
  /** The lane that owns the path, for `owned-by-other-lane`. */
  otherLane?: string;
  message: string;
}

/** True when `lane` may change `path`: one of its `owns` takes it and none of its `forbids` does. */
export function isOwnedBy(lane: Pick<OwnershipLane, 'owns' | 'forbids'>, path: string): boolean {
  const p = normalizePattern(path);
  return matchesAny(lane.owns, p) && !matchesAny(lane.forbids, p);
}

/**
 * The verdict on one lane's change: every changed path (added, modified, renamed or deleted;
 * workspace-relative) that the lane may not change, with the reason. Empty means the change
 * stays inside the lane. `forbids` wins over `owns`, so a lane can own `apps/web/**` but
 * forbid `apps/web/legacy/**`.
 */
export function checkOwnership(
  plan: OwnershipPlan,
  laneName: string,
  changedPaths: readonly string[],
): OwnershipViolation[] {
  const lane = plan.lanes.find((l) => l.name === laneName);
  if (!lane) {
    throw new LanesError(`Feature \`${plan.name}\` has no lane \`${laneName}\`.`, {
      hint: `Its lanes are: ${plan.lanes.map((l) => l.name).join(', ') || '(none)'}.`,
    });
  }
  const violations: OwnershipViolation[] = [];
  for (const path of changedPaths) {
    const violation = judgePath(plan, lane, path);
    if (violation) violations.push(violation);
  }
  return violations;
}

function judgePath(plan: OwnershipPlan, lane: OwnershipLane, path: string): OwnershipViolation | undefined {
  const p = normalizePattern(path);
  const where = checkWorkspacePath(p);
  if (where === 'outside-workspace') {
    return { path, reason: where, message: `\`${path}\` is outside the workspace; lane \`${lane.name}\` may only change files it owns.` };
  }
  if (where === 'protected') {
    return {
      path,
      reason: where,
      message: `\`${path}\` is inside .git or node_modules, which no lane may change.`,
    };
  }
  const forbid = lane.forbids.find((f) => matchPattern(f, p));
  if (forbid !== undefined) {
    return { path, reason: 'forbidden', message: `\`${path}\` is forbidden to lane \`${lane.name}\` (forbids \`${forbid}\`).` };
  }
  if (matchesAny(lane.owns, p)) return undefined;
  const other = plan.lanes.find((l) => l !== lane && isOwnedBy(l, p));
  if (other) {
    return {
      path,
      reason: 'owned-by-other-lane',
      otherLane: other.name,
      message: `\`${path}\` is owned by lane \`${other.name}\`, not by lane \`${lane.name}\`.`,
    };
  }
  return {
    path,
    reason: 'not-owned',
    message: `\`${path}\` is not owned by lane \`${lane.name}\`; add it to the lane's \`owns\` in ${plan.file} if the lane should change it.`,
  };
}
