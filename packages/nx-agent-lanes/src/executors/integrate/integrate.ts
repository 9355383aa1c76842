import { logger, type ExecutorContext } from '@nx/devkit';
import { relative } from 'node:path';
import { describeError } from '../../errors';
import { integrateFeature } from '../../integrate/integrate-feature';
import { loadTaskFeature } from '../load-task-lane';
import { onInterrupt } from '../on-interrupt';
import type { IntegrateExecutorOptions } from './schema';

/** nx-agent-lanes:integrate — every green lane merged on lanes/<feature>, proven together, reported. */
export default async function integrateExecutor(
  options: IntegrateExecutorOptions,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const interrupt = onInterrupt();
  try {
    const feature = loadTaskFeature(context);
    const { report, files } = await integrateFeature({
      workspaceRoot: context.root,
      feature,
      branch: options.branch,
      signal: interrupt.signal,
      log: (line) => logger.info(`[integrate] ${line}`),
    });
    const green = report.outcome === 'green';
    const say = green ? logger.info : logger.error;
    say(`[integrate] ${green ? 'GREEN' : `RED (${report.outcome})`}: ${report.lanes.length} lane(s), $${report.totals.costUsd.toFixed(4)} in all`);
    for (const step of report.nextSteps) say(`[integrate] next: ${step}`);
    logger.info(`[integrate] report: ${relative(context.root, files.markdown)} and ${relative(context.root, files.html)}`);
    return { success: green };
  } catch (error) {
    logger.error(describeError(error));
    return { success: false };
  } finally {
    interrupt.dispose();
  }
}
