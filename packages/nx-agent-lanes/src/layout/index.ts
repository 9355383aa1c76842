/**
 * The plan's footprint on disk and in Nx: target names, artifact paths, the artifacts' shapes
 * and their reads and writes. Stages and renderers import this instead of src/plugin/.
 */
export {
  CLEAN_TARGET,
  DEFAULT_TARGET_NAMES,
  INTEGRATE_TARGET,
  LANE_AGENT_TARGET,
  LANE_VERIFY_TARGET,
  laneProjectName,
  laneProjectRoot,
  laneTarget,
  verifyTarget,
} from './targets';
export type { TargetNames } from './targets';
export {
  ARTIFACTS_ROOT,
  INTEGRATION_DIR,
  INTEGRATION_RESULT_FILE,
  INTEGRATION_RUNS_DIR,
  LANE_NOTES_DIR,
  LANES_GIT_DIR,
  PATCH_FILE,
  RAN_IN_FILE,
  REPORT_HTML_FILE,
  REPORT_MARKDOWN_FILE,
  RESCUED_DIR,
  RESULT_FILE,
  WAITING_FILE,
  SPEND_FILE,
  RUN_SUMMARY_FILE,
  TRANSCRIPT_FILE,
  VERIFY_FILE,
  featureArtifactsDir,
  integrationArtifactsDir,
  integrationRunDir,
  laneArtifactOf,
  laneArtifactsDir,
  laneNotesFile,
  laneTaskOutputs,
} from './paths';
export type { LaneArtifactKind } from './paths';
export {
  integrationArtifactFiles,
  integrationRunFiles,
  laneArtifactFiles,
  readArtifact,
  readIntegrationResult,
  readLanePatch,
  readLaneResult,
  readRanIn,
  readVerifyResult,
  writeIntegrationArtifacts,
  writeLanePatch,
  writeLaneResult,
  writeRanIn,
  writeVerifyResult,
} from './artifacts';
export type { IntegrationArtifactFiles, IntegrationArtifacts, LaneArtifactFiles } from './artifacts';
export type { LaneAttempt, LaneAttemptOutcome, LaneResult, PatchFileSize } from './lane-result';
export { METER_EVENT, appendLaneAttempt, isAttemptUsageKnown, listLaneAttempts, readKilledAttempt, readRescuedAttempts, sumLaneAttempts } from './lane-attempts';
export type { VerifyResult } from './verify-result';
