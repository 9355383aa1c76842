import type { LaneTaskOptions } from '../load-task-lane';

export interface VerifyLaneExecutorOptions extends LaneTaskOptions {
  /** The lane's verify settings as inferred from feature.jsonc: part of the task's cache key. */
  plan?: string;
}
