import { LanesError } from '../errors';
import { checkWorkspacePath } from './check-workspace-path';
import type { Feature, Lane } from './feature-types';
import { matchPattern, normalizePattern } from './match-pattern';

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
export function isOwnedBy(lane: Lane, path: string): boolean {
  const p = normalizePattern(path);
  return lane.owns.some((o) => matchPattern(o, p)) && !lane.forbids.some((f) => matchPattern(f, p));
}

/**
 * The verdict on one lane's change: every changed path (added, modified, renamed or deleted;
 * workspace-relative) that the lane may not change, with the reason. Empty means the change
 * stays inside the lane. `forbids` wins over `owns`, so a lane can own `apps/web/**` but
 * forbid `apps/web/legacy/**`.
 */
export function checkOwnership(
  feature: Feature,
  laneName: string,
  changedPaths: readonly string[],
): OwnershipViolation[] {
  const lane = feature.lanes.find((l) => l.name === laneName);
  if (!lane) {
    throw new LanesError(`Feature \`${feature.name}\` has no lane \`${laneName}\`.`, {
      hint: `Its lanes are: ${feature.lanes.map((l) => l.name).join(', ') || '(none)'}.`,
    });
  }
  const violations: OwnershipViolation[] = [];
  for (const path of changedPaths) {
    const violation = judgePath(feature, lane, path);
    if (violation) violations.push(violation);
  }
  return violations;
}

function judgePath(feature: Feature, lane: Lane, path: string): OwnershipViolation | undefined {
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
  if (lane.owns.some((o) => matchPattern(o, p))) return undefined;
  const other = feature.lanes.find((l) => l !== lane && isOwnedBy(l, p));
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
    message: `\`${path}\` is not owned by lane \`${lane.name}\`; add it to the lane's \`owns\` in ${feature.file} if the lane should change it.`,
  };
}
