import type { ExecutorContext } from '@nx/devkit';
import { loadProviders } from '../../agents/load-provider';
import type { AgentProviderImpl } from '../../agents/provider';
import type { AgentProvider } from '../../feature/feature-types';
import type { FeatureReader } from '../../plugin/read-feature-from-disk';
import { describeError } from '../../errors';
import { runLane } from '../../lanes/run-lane';
import { describeLaneResult } from '../../lanes/describe-lane-result';
import { nxTaskLog, type TaskLog } from '../batch/task-log';
import { loadTaskLane } from '../load-task-lane';
import { onInterrupt } from '../on-interrupt';
import type { AgentLaneExecutorOptions } from './schema';

/**
 * nx-agent-lanes:agent-lane — one lane's agent in its own worktree. Succeeds only when the
 * agent finished (`done`); blocked, failed and over-budget lanes fail the task, so Nx neither
 * caches them nor runs integrate, and the next run picks the lane up again.
 */

/**
 * Whether a blocked lane waits for its answer in place: NX_AGENT_LANES_WAIT_FOR_ANSWER when set
 * (an option given to `nx run <feature>:integrate` reaches integrate only, not its lane tasks),
 * else in an interactive terminal outside CI.
 */
export function decideWaitForAnswer(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  const value = env.NX_AGENT_LANES_WAIT_FOR_ANSWER?.trim().toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return isTTY && !env.CI;
}

export interface AgentLaneTaskOptions {
  signal: AbortSignal;
  log: TaskLog;
  /** Default: the provider the lane names, loaded on first use. */
  providers?: Partial<Record<AgentProvider, AgentProviderImpl>>;
  /** The batch's plan reader (see loadTaskLane); default one of its own. */
  reader?: FeatureReader;
}

/** One lane task, alone in its process or one of a batch: whether the lane ended `done`. */
export async function runAgentLaneTask(
  options: AgentLaneExecutorOptions,
  context: ExecutorContext,
  task: AgentLaneTaskOptions,
): Promise<boolean> {
  const { log } = task;
  try {
    const { feature, lane } = loadTaskLane(context, options, task.reader);
    const prefix = `[${lane.name}]`;
    const result = await runLane({
      workspaceRoot: context.root,
      feature,
      lane,
      providers: task.providers ?? (await loadProviders([lane.agent.provider])),
      signal: task.signal,
      log: (line) => log.info(`${prefix} ${line}`),
      waitForAnswer: options.waitForAnswer ?? decideWaitForAnswer(process.env, Boolean(process.stdout.isTTY)),
      keepWorktree: options.keepWorktree ?? false,
    });
    for (const line of describeLaneResult(feature.name, result)) {
      (result.status === 'done' ? log.info : log.warn)(`${prefix} ${line}`);
    }
    return result.status === 'done';
  } catch (error) {
    log.error(describeError(error));
    return false;
  }
}

export default async function agentLaneExecutor(
  options: AgentLaneExecutorOptions,
  context: ExecutorContext,
  providers?: Partial<Record<AgentProvider, AgentProviderImpl>>,
): Promise<{ success: boolean }> {
  const interrupt = onInterrupt();
  try {
    return { success: await runAgentLaneTask(options, context, { signal: interrupt.signal, log: nxTaskLog, providers }) };
  } finally {
    interrupt.dispose();
  }
}
