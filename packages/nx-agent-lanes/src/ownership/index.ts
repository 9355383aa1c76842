/**
 * The one meaning of `owns`, `forbids` and `review.risky`: plan validation, the hasher,
 * verify, the review triage, createDependencies and the write tools all ask here.
 * No Nx, git or file system: every answer comes from the patterns and paths given.
 */
export { checkOwnership, isOwnedBy } from './check-ownership';
export type { OwnershipLane, OwnershipPlan, OwnershipViolation, OwnershipViolationReason } from './check-ownership';
export { checkWorkspacePath, PROTECTED_SEGMENTS } from './check-workspace-path';
export type { WorkspacePathReason } from './check-workspace-path';
export { coversPattern, findCoveredDirectory, findPatternOverlap } from './find-pattern-overlap';
export type { FindPatternOverlapOptions } from './find-pattern-overlap';
export { globBase, isGlob } from './glob-base';
export { isPathInside, matchesAny, matchPattern, normalizePattern } from './match-pattern';
export { foldersHolding, forEachNestingPair, indexBase } from './nesting-bases';
export { staticBases } from './static-bases';
export { validatePattern } from './validate-pattern';
