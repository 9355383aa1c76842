import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { loadProviders } from '../../agents/load-provider';
import { runAgentLaneTask } from '../agent-lane/agent-lane';
import type { AgentLaneExecutorOptions } from '../agent-lane/schema';
import { createBatchFeatureReader, loadTaskLanes } from '../load-task-lane';
import { onInterrupt } from '../on-interrupt';
import { runTaskBatch } from './run-task-batch';

/**
 * nx-agent-lanes:agent-lane for a whole batch (`nx run-many --batch`): every lane of the batch
 * in this one process, at once, each as the single-task executor runs it (its own worktree,
 * metering proxy, lock and artifacts), so Nx, the plugin and each provider load once instead
 * of once per lane. A lane whose upstream lane is in the batch starts when that one is done.
 */
export default async function* agentLaneBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, AgentLaneExecutorOptions>,
  _overrides: AgentLaneExecutorOptions,
  context: ExecutorContext,
) {
  const interrupt = onInterrupt();
  try {
    const reader = createBatchFeatureReader(context);
    const providers = await loadProviders(loadTaskLanes(context, taskGraph, inputs, reader).map(({ lane }) => lane.agent.provider));
    yield* runTaskBatch({
      taskGraph,
      inputs,
      context,
      signal: interrupt.signal,
      run: (options, taskContext, task) => runAgentLaneTask(options, taskContext, { ...task, providers, reader }),
    });
  } finally {
    interrupt.dispose();
  }
}
