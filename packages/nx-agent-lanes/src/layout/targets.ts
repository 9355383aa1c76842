/*
 * Names of the projects and targets a feature becomes. `--` because `nx run a:b:c` reads a
 * colon as a configuration; the names also name the locks and appear in every hint that says
 * what to run. A person types the feature's target names, so nx.json may rename them; a lane's
 * own project keeps fixed names.
 */

export interface TargetNames {
  /** The feature's `lane--<lane>` targets. */
  laneTargetPrefix: string;
  /** The feature's `verify--<lane>` targets. */
  verifyTargetPrefix: string;
  integrateTargetName: string;
  cleanTargetName: string;
}

export const DEFAULT_TARGET_NAMES: Readonly<TargetNames> = Object.freeze({
  laneTargetPrefix: 'lane--',
  verifyTargetPrefix: 'verify--',
  integrateTargetName: 'integrate',
  cleanTargetName: 'clean-lanes',
});

export const laneTarget = (lane: string, names: TargetNames = DEFAULT_TARGET_NAMES) => `${names.laneTargetPrefix}${lane}`;
export const verifyTarget = (lane: string, names: TargetNames = DEFAULT_TARGET_NAMES) => `${names.verifyTargetPrefix}${lane}`;
export const INTEGRATE_TARGET = DEFAULT_TARGET_NAMES.integrateTargetName;
export const CLEAN_TARGET = DEFAULT_TARGET_NAMES.cleanTargetName;

/**
 * Each lane is a project of its own (`<feature>/<lane>`), because Nx hashes a project's whole
 * configuration into each of its tasks: in the feature's project, editing or adding one lane
 * would rerun every agent. Feature and lane names cannot hold `/`, so the name reads back.
 */
export const laneProjectName = (feature: string, lane: string) => `${feature}/${lane}`;
export const laneProjectRoot = (featureRoot: string, lane: string) =>
  featureRoot === '' || featureRoot === '.' ? `lanes/${lane}` : `${featureRoot}/lanes/${lane}`;
export const LANE_AGENT_TARGET = 'agent';
export const LANE_VERIFY_TARGET = 'verify';
