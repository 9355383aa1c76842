import { logger, type ExecutorContext } from '@nx/devkit';
import { createAnthropicProvider } from '../../agents/anthropic/anthropic-provider';
import { createClaudeCodeProvider } from '../../agents/claude-code/claude-code-provider';
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

export default async function agentLaneExecutor(
  options: AgentLaneExecutorOptions,
  context: ExecutorContext,
  providers: Partial<Record<AgentProvider, AgentProviderImpl>> = {
    anthropic: createAnthropicProvider(),
    'claude-code': createClaudeCodeProvider(),
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
      waitForAnswer: options.waitForAnswer ?? decideWaitForAnswer(process.env, Boolean(process.stdout.isTTY)),
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
