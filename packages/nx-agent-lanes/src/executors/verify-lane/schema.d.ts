export interface VerifyLaneExecutorOptions {
  /** Name of the lane in the project's feature.jsonc. */
  lane: string;
}
