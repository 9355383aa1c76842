export interface AgentLaneExecutorOptions {
  /** Name of the lane in the project's feature.jsonc. */
  lane: string;
  /** Wait for an answer to a blocker instead of ending the lane (default: interactive terminal and not CI). */
  waitForAnswer?: boolean;
  /** Keep the lane's worktree after the run (default false). */
  keepWorktree?: boolean;
}
