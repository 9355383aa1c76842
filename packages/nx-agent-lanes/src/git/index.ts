/** Everything nx-agent-lanes does with git, hardened: worktrees per lane, patches, the lanes branch, and the watch on the user's repository while lane code runs. */
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
export { compareRepository, snapshotRepository } from './repository-fingerprint';
export type { RepositoryChange, RepositorySnapshot, SnapshotOptions } from './repository-fingerprint';
export { checkRepository, describeRepositoryCheck, watchRepository } from './watch-repository';
export type { RepositoryCheck, RepositoryWatch, WatchRepositoryOptions } from './watch-repository';
export { listCommitChanges, readGitPatchPaths } from './list-patch-changes';
export { findUnattributedSections } from './patch-sections';
