/** Everything nx-agent-lanes does with git: worktrees per lane, patches, the lanes branch. */
export { findRepoRoot, gitCommonDir, headCommit, resolveCommit, tryResolveCommit } from './repo';
export {
  createLaneWorktree,
  defaultWorktreesRoot,
  listLaneWorktrees,
  pruneStaleWorktrees,
  removeLaneWorktree,
} from './lane-worktree';
export type { CreateWorktreeOptions, LaneWorktree, StartPatch } from './lane-worktree';
export { applyLanePatch, captureLanePatch, patchFiles } from './lane-patch';
export type { ApplyLanePatchOptions, CapturedPatch, CaptureLanePatchOptions, ChangedFile } from './lane-patch';
export { updateBranch } from './lanes-branch';
