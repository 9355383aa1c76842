import { logger, type ExecutorContext } from '@nx/devkit';
import { createAnthropicProvider } from '../../agents/anthropic/anthropic-provider';
import { createCommandProvider } from '../../agents/command/command-provider';
import type { AgentProviderImpl } from '../../agents/provider';
import type { AgentProvider } from '../../feature/feature-types';
import { describeError } from '../../errors';
import { runLane } from '../../lanes/run-lane';
import { describeLaneResult } from '../../lanes/describe-lane-result';
import { loadTaskLane } from '../load-task-lane';
import { onInterrupt } from '../on-interrupt';
import type { AgentLaneExecutorOptions } from './schema';

/**
 * nx-agent-lanes:agent-lane — one lane's agent in its own worktree. Succeeds only when the
 * agent finished (`done`); blocked, failed and over-budget lanes fail the task, so Nx neither
 * caches them nor runs integrate, and the next run picks the lane up again.
 */
export default async function agentLaneExecutor(
  options: AgentLaneExecutorOptions,
  context: ExecutorContext,
  providers: Record<AgentProvider, AgentProviderImpl> = {
    anthropic: createAnthropicProvider(),
    command: createCommandProvider(),
  },
): Promise<{ success: boolean }> {
  const interrupt = onInterrupt();
  try {
    const { feature, lane } = loadTaskLane(context, options);
    const prefix = `[${lane.name}]`;
    const result = await runLane({
      workspaceRoot: context.root,
      feature,
      lane,
      providers,
      signal: interrupt.signal,
      log: (line) => logger.info(`${prefix} ${line}`),
      waitForAnswer: options.waitForAnswer ?? (Boolean(process.stdout.isTTY) && !process.env.CI),
      keepWorktree: options.keepWorktree ?? false,
    });
    for (const line of describeLaneResult(feature.name, result)) {
      (result.status === 'done' ? logger.info : logger.warn)(`${prefix} ${line}`);
    }
    return { success: result.status === 'done' };
  } catch (error) {
    logger.error(describeError(error));
    return { success: false };
  } finally {
    interrupt.dispose();
  }
}
