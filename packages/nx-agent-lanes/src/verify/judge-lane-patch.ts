import type { Feature, Lane } from '../feature/feature-types';
import { applyLanePatch } from '../git/lane-patch';
import { listCommitChanges, readGitPatchPaths } from '../git/list-patch-changes';
import { findUnattributedSections } from '../git/patch-sections';
import { headCommit } from '../git/repo';
import { describeEscapingSymlinks, findEscapingSymlinks, type EscapingSymlink } from './find-escaping-symlinks';
import { classifyRisk, judgeOwnership, toWorkspacePaths, type OwnershipVerdict, type RiskClass } from './plan-verdict';

export interface LanePatchJudgement {
  ok: boolean;
  /** Why not, in one sentence. */
  reason?: string;
  /** Workspace-relative paths the patch changed, as git applied it. */
  paths: string[];
  ownership: OwnershipVerdict;
  risk: RiskClass;
  unattributed: string[];
  links: EscapingSymlink[];
  /** The commit holding the lane's change, when it was applied. */
  commit?: string;
}

export interface JudgeLanePatchOptions {
  /** A worktree of the plugin's own, where the patch is committed on HEAD. */
  worktree: string;
  patch: string;
  feature: Feature;
  lane: Lane;
  workspaceInRepo: string;
  commitMessage: string;
  /** The worktree's HEAD commit, when the caller knows it (saves asking git). */
  head?: string;
}

/**
 * Applies a lane's patch in a checkout and judges what git actually did, never what an
 * artifact says: verify and integrate both call this (issue 11: a plain unified diff section
 * merged unseen, a forged verify.json was trusted, chained symlinks passed a check on text).
 * First every section git would read must be one the plugin reads; then the patch is committed,
 * the commit's own changes (both sides of a rename) are judged by the ownership module, and each
 * symlink it adds or changes is followed in the checkout. Throws the GitError of a patch that
 * does not apply; a patch refused after it applied stays committed, and the caller drops the
 * worktree or resets it.
 */
export async function applyAndJudgeLanePatch(options: JudgeLanePatchOptions): Promise<LanePatchJudgement> {
  const { worktree, patch, feature, lane, workspaceInRepo } = options;
  const judged = (paths: string[], extra: Partial<LanePatchJudgement> = {}): LanePatchJudgement => {
    const ownership = judgeOwnership(feature, lane, paths);
    return { ok: true, paths, ownership, risk: classifyRisk(feature, lane, paths), unattributed: [], links: [], ...extra };
  };
  if (patch.trim() === '') return judged([]);
  let gitPaths: string[];
  try {
    gitPaths = await readGitPatchPaths(worktree, patch);
  } catch (error) {
    return judged([], { ok: false, reason: `lane ${lane.name}'s patch cannot be read: ${error instanceof Error ? error.message : String(error)}` });
  }
  const unattributed = findUnattributedSections(patch, gitPaths);
  if (unattributed.length) {
    return judged(toWorkspacePaths(gitPaths, workspaceInRepo), {
      ok: false,
      unattributed,
      reason: `lane ${lane.name}'s patch has sections git would apply that nx-agent-lanes cannot attribute: ${unattributed.join('; ')}`,
    });
  }
  const parent = options.head ?? (await headCommit(worktree));
  // Without a message nothing is committed, and HEAD stays the parent.
  const commit = (await applyLanePatch({ worktree, patch, commitMessage: options.commitMessage, parent })).commit ?? parent;
  const changes = await listCommitChanges(worktree, parent, commit);
  const verdict = judged(toWorkspacePaths(changes.map((c) => c.path), workspaceInRepo), { commit });
  if (!verdict.ownership.ok) {
    const paths = verdict.ownership.violations.map((v) => v.path).join(', ');
    return { ...verdict, ok: false, reason: `lane ${lane.name} changed files it does not own: ${paths}` };
  }
  const linkPaths = changes.filter((c) => c.newMode === '120000').map((c) => c.path);
  const links = findEscapingSymlinks({ checkoutRoot: worktree, workspaceInRepo, paths: linkPaths });
  if (links.length) return { ...verdict, ok: false, links, reason: describeEscapingSymlinks(lane.name, links) };
  return verdict;
}
