import type { ExecutorContext } from '@nx/devkit';
import { describeError } from '../../errors';
import type { FeatureReader } from '../../plugin/read-feature-from-disk';
import { verifyLane } from '../../verify/verify-lane';
import { nxTaskLog, type TaskLog } from '../batch/task-log';
import { loadTaskLane } from '../load-task-lane';
import { onInterrupt } from '../on-interrupt';
import type { VerifyLaneExecutorOptions } from './schema';

/** One verify task, alone in its process or one of a batch: whether the lane passed. */
export async function runVerifyLaneTask(
  options: VerifyLaneExecutorOptions,
  context: ExecutorContext,
  task: { signal: AbortSignal; log: TaskLog; reader?: FeatureReader },
): Promise<boolean> {
  const { log } = task;
  try {
    const { feature, lane } = loadTaskLane(context, options, task.reader);
    const prefix = `[verify ${lane.name}]`;
    const result = await verifyLane({
      workspaceRoot: context.root,
      feature,
      lane,
      signal: task.signal,
      log: (line) => log.info(`${prefix} ${line}`),
    });
    if (result.passed) {
      log.info(
        `${prefix} passed: ${result.files.length} file(s) inside the lane, tests green in ${((result.tests?.durationMs ?? 0) / 1000).toFixed(1)} s, review: ${result.risk.class}`,
      );
      return true;
    }
    log.error(`${prefix} FAILED: ${result.reason}`);
    for (const v of result.ownership.violations) log.error(`${prefix}   ${v.message}`);
    if (result.laneStatus === 'blocked') {
      log.error(`${prefix} answer it with: nx g nx-agent-lanes:answer ${feature.name} --lane ${lane.name} --answer "..."`);
    } else if (result.tests && !result.tests.passed) {
      log.error(`${prefix} give the lane feedback with: nx g nx-agent-lanes:feedback ${feature.name} --lane ${lane.name} --message "..."`);
    }
    return false;
  } catch (error) {
    log.error(describeError(error));
    return false;
  }
}

/** nx-agent-lanes:verify-lane — one lane proven alone: its own tests, its own files. */
export default async function verifyLaneExecutor(
  options: VerifyLaneExecutorOptions,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const interrupt = onInterrupt();
  try {
    return { success: await runVerifyLaneTask(options, context, { signal: interrupt.signal, log: nxTaskLog }) };
  } finally {
    interrupt.dispose();
  }
}
