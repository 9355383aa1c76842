import { logger, type ExecutorContext } from '@nx/devkit';
import { describeError } from '../../errors';
import { defaultWorktreesRoot, listLaneWorktrees } from '../../git/lane-worktree';
import { emptyWorktreePool, poolDir } from '../../git/worktree-pool';
import { pruneWithRescue } from '../../lanes/prune-with-rescue';
import { findRepoRoot } from '../../git/repo';

/**
 * nx-agent-lanes:clean — removes worktrees and lane branches left by interrupted runs (every
 * run also does this first) and the clean worktrees pooled for reuse, and says what it removed.
 * Worktrees of runs still going are kept.
 */
export default async function cleanExecutor(_options: Record<string, never>, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const repoRoot = await findRepoRoot(context.root);
    const done = await pruneWithRescue({ repoRoot, workspaceRoot: context.root });
    const pooled = await emptyWorktreePool(repoRoot, { dir: poolDir(defaultWorktreesRoot(repoRoot)) });
    if (done.length === 0 && pooled.length === 0) logger.info('[clean] nothing to remove: no stale lane worktree or branch, no pooled worktree.');
    for (const line of done) logger.info(`[clean] ${line}`);
    for (const path of pooled) logger.info(`[clean] removed a clean worktree kept for reuse: ${path}`);
    for (const live of await listLaneWorktrees(repoRoot)) {
      logger.info(`[clean] kept ${live.path}: in use by a running lane (pid ${live.pid ?? 'unknown'}, ${live.feature}/${live.lane})`);
    }
    return { success: true };
  } catch (error) {
    logger.error(describeError(error));
    return { success: false };
  }
}
