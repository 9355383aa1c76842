import { logger, type ExecutorContext } from '@nx/devkit';
import { describeError } from '../../errors';
import { listLaneWorktrees, pruneStaleWorktrees } from '../../git/lane-worktree';
import { findRepoRoot } from '../../git/repo';

/**
 * nx-agent-lanes:clean — removes worktrees and lane branches left by interrupted runs (every
 * run also does this first) and says what it removed. Worktrees of runs still going are kept.
 */
export default async function cleanExecutor(_options: Record<string, never>, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const repoRoot = await findRepoRoot(context.root);
    const removed = await pruneStaleWorktrees(repoRoot);
    if (removed.length === 0) logger.info('[clean] nothing to remove: no stale lane worktree or branch.');
    for (const item of removed) logger.info(`[clean] removed ${item}`);
    for (const live of await listLaneWorktrees(repoRoot)) {
      logger.info(`[clean] kept ${live.path}: in use by a running lane (pid ${live.pid ?? 'unknown'}, ${live.feature}/${live.lane})`);
    }
    return { success: true };
  } catch (error) {
    logger.error(describeError(error));
    return { success: false };
  }
}
