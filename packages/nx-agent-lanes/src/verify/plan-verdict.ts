import type { Feature, Lane } from '../feature/feature-types';
import { checkOwnership, matchesAny, type OwnershipViolation } from '../ownership';

export interface RiskClass {
  class: 'risky' | 'trusted';
  /** Files of the change matching `review.risky`, or all of them for a lane marked risky. */
  riskyFiles: string[];
}

/** Which of a lane's changed files a human must read: `review.risky` patterns, or all for a risky lane. */
export function classifyRisk(feature: Feature, lane: Lane, paths: readonly string[]): RiskClass {
  if (lane.risky) return { class: paths.length ? 'risky' : 'trusted', riskyFiles: [...paths] };
  const riskyFiles = paths.filter((p) => matchesAny(feature.review.risky, p));
  return { class: riskyFiles.length ? 'risky' : 'trusted', riskyFiles };
}

/**
 * Paths of a patch as the workspace sees them. A patch names repository-relative paths; when
 * the Nx workspace is a folder of the repository, strip that folder, and flag anything outside it.
 */
export function toWorkspacePaths(repoPaths: readonly string[], workspaceInRepo: string): string[] {
  if (!workspaceInRepo) return [...repoPaths];
  const prefix = `${workspaceInRepo}/`;
  return repoPaths.map((p) => (p.startsWith(prefix) ? p.slice(prefix.length) : `../${p}`));
}

export interface OwnershipVerdict {
  ok: boolean;
  violations: OwnershipViolation[];
}

/** Judges the change from the patch itself, whatever the agent says it did. */
export function judgeOwnership(feature: Feature, lane: Lane, workspacePaths: readonly string[]): OwnershipVerdict {
  const violations = checkOwnership(feature, lane.name, [...new Set(workspacePaths)]);
  return { ok: violations.length === 0, violations };
}
