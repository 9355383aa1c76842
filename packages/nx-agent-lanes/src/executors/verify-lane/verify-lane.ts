import { logger, type ExecutorContext } from '@nx/devkit';
import { describeError } from '../../errors';
import { verifyLane } from '../../verify/verify-lane';
import { loadTaskLane } from '../load-task-lane';
import { onInterrupt } from '../on-interrupt';
import type { VerifyLaneExecutorOptions } from './schema';

/** nx-agent-lanes:verify-lane — one lane proven alone: its own tests, its own files. */
export default async function verifyLaneExecutor(
  options: VerifyLaneExecutorOptions,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const interrupt = onInterrupt();
  try {
    const { feature, lane } = loadTaskLane(context, options);
    const prefix = `[verify ${lane.name}]`;
    const result = await verifyLane({
      workspaceRoot: context.root,
      feature,
      lane,
      signal: interrupt.signal,
      log: (line) => logger.info(`${prefix} ${line}`),
    });
    if (result.passed) {
      logger.info(
        `${prefix} passed: ${result.files.length} file(s) inside the lane, tests green in ${((result.tests?.durationMs ?? 0) / 1000).toFixed(1)} s, review: ${result.risk.class}`,
      );
      return { success: true };
    }
    logger.error(`${prefix} FAILED: ${result.reason}`);
    for (const v of result.ownership.violations) logger.error(`${prefix}   ${v.message}`);
    if (result.laneStatus === 'blocked') {
      logger.error(`${prefix} answer it with: nx g nx-agent-lanes:answer ${feature.name} --lane ${lane.name} --answer "..."`);
    } else if (result.tests && !result.tests.passed) {
      logger.error(`${prefix} give the lane feedback with: nx g nx-agent-lanes:feedback ${feature.name} --lane ${lane.name} --message "..."`);
    }
    return { success: false };
  } catch (error) {
    logger.error(describeError(error));
    return { success: false };
  } finally {
    interrupt.dispose();
  }
}
