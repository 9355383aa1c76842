import type { PostTasksExecution, PreTasksExecution, TaskResult } from '@nx/devkit';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeError } from '../errors';
import { findRepoRoot, gitCommonDir } from '../git/repo';
import { pruneOnce } from '../lanes/prune-with-rescue';
import { RUN_ID_ENV } from '../lanes/nx-invocation';
import { LANES_GIT_DIR, RUN_SUMMARY_FILE, laneArtifactOf, readArtifact, type LaneResult, type VerifyResult } from '../layout';
import { planRunSummary, type RunSummaryLane } from '../report/plan-run-summary';
import type { AgentLanesPluginOptions } from './plugin-options';

/**
 * Nx runs this once per `nx` command, before any task, in the plugin's process (Nx 20.4+), and
 * hands the environment it leaves to every task of the command. The run id it sets is how
 * integrate tells the lanes that ran in this command from lanes restored from cache: the
 * parent process id cannot, because under the TUI every task has a process of its own.
 */
export const preTasksExecution: PreTasksExecution<AgentLanesPluginOptions> = async (_options, context) => {
  const runId = process.env[RUN_ID_ENV] || `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  process.env[RUN_ID_ENV] = runId;
  try {
    for (const line of await pruneBeforeRun(context.workspaceRoot, runId)) process.stdout.write(`nx-agent-lanes: ${line}\n`);
  } catch (error) {
    // Never fail the user's command here: each lane prunes for itself when this did not.
    process.stdout.write(`nx-agent-lanes: could not prune stale lane worktrees before the run: ${describeError(error)}\n`);
  }
};

/**
 * Stale worktrees pruned once per command, under the repository lock, before any lane starts,
 * so no lane's prune can meet another lane's half-made worktree. Every `nx` command runs this
 * hook, lanes or not: a repository where no lane ever ran costs one `git rev-parse`.
 */
async function pruneBeforeRun(workspaceRoot: string, runId: string): Promise<string[]> {
  const repoRoot = await findRepoRoot(workspaceRoot).catch(() => undefined);
  if (!repoRoot || !existsSync(join(await gitCommonDir(repoRoot), LANES_GIT_DIR))) return [];
  return pruneOnce({ workspaceRoot, repoRoot, runId });
}

/**
 * Once every task of the command has ended: one summary of the lanes it touched, printed after
 * Nx's own output, where it stays readable after the TUI closes.
 */
export const postTasksExecution: PostTasksExecution<AgentLanesPluginOptions> = async (_options, context) => {
  const lines = summarizeTaskResults(context.workspaceRoot, Object.values(context.taskResults ?? {}));
  if (!lines.length) return;
  // With the Nx daemon on, Nx runs this hook inside the daemon, whose output is its log: the
  // file is where the summary can always be read.
  const file = join(context.workspaceRoot, RUN_SUMMARY_FILE);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${lines.join('\n')}\n`);
  await printFromPluginWorker(`\n${lines.join('\n')}\n`);
};

/**
 * Nx runs a plugin in a worker process whose stdout it pipes into its own and unrefs, then
 * exits soon after this hook returns: a line still in the pipe is lost (seen in about one run
 * in ten). Waiting a moment after the write lets Nx, idle until this hook answers, forward it.
 */
async function printFromPluginWorker(text: string): Promise<void> {
  await new Promise<void>((resolve) => process.stdout.write(text, () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, FLUSH_WAIT_MS));
}

const FLUSH_WAIT_MS = 150;

/** Reads the artifacts of every lane task among `results` and plans the summary; [] when there is none. */
export function summarizeTaskResults(workspaceRoot: string, results: readonly TaskResult[]): string[] {
  const lanes = new Map<string, RunSummaryLane>();
  for (const { task, status } of results) {
    for (const output of task.outputs ?? []) {
      const artifact = laneArtifactOf(output);
      if (!artifact) continue;
      const key = `${artifact.feature}/${artifact.lane}`;
      const lane = lanes.get(key) ?? { feature: artifact.feature, lane: artifact.lane };
      if (artifact.kind === 'result') {
        lane.agentTask = status;
        lane.result = readArtifact<LaneResult>(join(workspaceRoot, output));
      } else if (artifact.kind === 'verify') {
        lane.verifyTask = status;
        lane.verify = readArtifact<VerifyResult>(join(workspaceRoot, output));
      }
      lanes.set(key, lane);
    }
  }
  return planRunSummary([...lanes.values()]);
}
