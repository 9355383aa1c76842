import { logger, type ExecutorContext } from '@nx/devkit';
import { describeError } from '../../errors';
import { listLaneWorktrees } from '../../git/lane-worktree';
import { pruneWithRescue } from '../../lanes/prune-with-rescue';
import { findRepoRoot } from '../../git/repo';

/**
 * nx-agent-lanes:clean — removes worktrees and lane branches left by interrupted runs (every
 * run also does this first) and says what it removed. Worktrees of runs still going are kept.
 */
export default async function cleanExecutor(_options: Record<string, never>, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const repoRoot = await findRepoRoot(context.root);
    const done = await pruneWithRescue({ repoRoot, workspaceRoot: context.root });
    if (done.length === 0) logger.info('[clean] nothing to remove: no stale lane worktree or branch.');
    for (const line of done) logger.info(`[clean] ${line}`);
    for (const live of await listLaneWorktrees(repoRoot)) {
      logger.info(`[clean] kept ${live.path}: in use by a running lane (pid ${live.pid ?? 'unknown'}, ${live.feature}/${live.lane})`);
    }
    return { success: true };
  } catch (error) {
    logger.error(describeError(error));
    return { success: false };
  }
}
