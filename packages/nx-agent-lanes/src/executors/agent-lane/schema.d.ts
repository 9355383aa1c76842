import type { LaneTaskOptions } from '../load-task-lane';

export interface AgentLaneExecutorOptions extends LaneTaskOptions {
  /** The lane's settings as inferred from feature.jsonc: part of the task's cache key. */
  plan?: string;
  /** Wait for an answer to a blocker instead of ending the lane (default: interactive terminal and not CI). */
  waitForAnswer?: boolean;
  /** Keep the lane's worktree after the run (default false). */
  keepWorktree?: boolean;
}
