import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { runVerifyLaneTask } from '../verify-lane/verify-lane';
import type { VerifyLaneExecutorOptions } from '../verify-lane/schema';
import { createBatchFeatureReader } from '../load-task-lane';
import { onInterrupt } from '../on-interrupt';
import { runTaskBatch } from './run-task-batch';

/**
 * nx-agent-lanes:verify-lane for a whole batch (`nx run-many --batch`): every verify of the
 * batch in this one process, at once, each in its own clean worktree as the single-task
 * executor runs it.
 */
export default async function* verifyLaneBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, VerifyLaneExecutorOptions>,
  _overrides: VerifyLaneExecutorOptions,
  context: ExecutorContext,
) {
  const interrupt = onInterrupt();
  try {
    const reader = createBatchFeatureReader(context);
    yield* runTaskBatch({
      taskGraph,
      inputs,
      context,
      signal: interrupt.signal,
      run: (options, taskContext, task) => runVerifyLaneTask(options, taskContext, { ...task, reader }),
    });
  } finally {
    interrupt.dispose();
  }
}
