/*
 * Where every artifact lives, workspace-relative and `/`-separated. They are declared task
 * outputs, so Nx's cache and remote machines carry them; anything that reads or writes one
 * takes its path from here.
 */

export const ARTIFACTS_ROOT = 'dist/agent-lanes';

/** The integration folder sits beside the lanes' folders, which is why no lane may be named `integration`. */
export const INTEGRATION_DIR = 'integration';

export const featureArtifactsDir = (feature: string) => `${ARTIFACTS_ROOT}/${feature}`;
export const laneArtifactsDir = (feature: string, lane: string) => `${featureArtifactsDir(feature)}/${lane}`;
export const integrationArtifactsDir = (feature: string) => `${featureArtifactsDir(feature)}/${INTEGRATION_DIR}`;

/** In a lane's folder. */
export const RESULT_FILE = 'result.json';
/** Present only while a blocked lane waits in place for its answer: `{ question }`. */
export const WAITING_FILE = 'waiting.json';
/** Present only while a lane's agent runs: what its metering proxy counted so far, `{ startedAt, costUsd }`. */
export const SPEND_FILE = 'spend.json';
export const PATCH_FILE = 'lane.patch';
export const TRANSCRIPT_FILE = 'transcript.jsonl';
export const VERIFY_FILE = 'verify.json';
/** Patches and transcripts saved from killed runs. */
export const RESCUED_DIR = 'rescued';

/**
 * Written beside a lane's artifacts when its agent really ran, and deliberately NOT a declared
 * output: a cache hit restores result.json with the times of the run that made it but leaves
 * this file alone, so integrate can tell which lanes ran in its own `nx` command.
 */
export const RAN_IN_FILE = '.ran-in';

/** In the integration folder. */
export const INTEGRATION_RESULT_FILE = 'result.json';
export const REPORT_MARKDOWN_FILE = 'report.md';
export const REPORT_HTML_FILE = 'report.html';
/**
 * One folder per integrate run, inside the integration folder so integrate's declared output
 * (the whole folder) carries them: integration/runs/<run id>/{result.json, report.md, report.html}.
 */
export const INTEGRATION_RUNS_DIR = 'runs';
export const integrationRunDir = (feature: string, runId: string) => `${integrationArtifactsDir(feature)}/${INTEGRATION_RUNS_DIR}/${runId}`;

/**
 * A lane's notes (answers to its blockers, review feedback): one file per lane, next to
 * feature.jsonc so they are reviewed in git, and one file per lane so a note is an input of
 * that lane's tasks alone.
 */
export const LANE_NOTES_DIR = 'notes';

/** The notes file of `lane` in the feature whose folder is `featureRoot` (`.` for the workspace root). */
export function laneNotesFile(featureRoot: string, lane: string): string {
  const file = `${LANE_NOTES_DIR}/${lane}.jsonc`;
  return featureRoot === '' || featureRoot === '.' ? file : `${featureRoot}/${file}`;
}

/** What the lane task and the verify task of a lane declare as outputs. */
export function laneTaskOutputs(feature: string, lane: string): { lane: string[]; verify: string[] } {
  const dir = laneArtifactsDir(feature, lane);
  return {
    lane: [`${dir}/${RESULT_FILE}`, `${dir}/${PATCH_FILE}`, `${dir}/${TRANSCRIPT_FILE}`],
    verify: [`${dir}/${VERIFY_FILE}`],
  };
}

export type LaneArtifactKind = 'result' | 'patch' | 'transcript' | 'verify';

const KIND_OF_FILE: Record<string, LaneArtifactKind> = {
  [RESULT_FILE]: 'result',
  [PATCH_FILE]: 'patch',
  [TRANSCRIPT_FILE]: 'transcript',
  [VERIFY_FILE]: 'verify',
};

/**
 * Which lane artifact a workspace-relative path names (a task output as Nx lists it, with or
 * without `{workspaceRoot}/`), or undefined for anything else, the integration folder included.
 */
export function laneArtifactOf(path: string): { feature: string; lane: string; kind: LaneArtifactKind } | undefined {
  const parts = path.replace(/^\{workspaceRoot\}\//, '').split('/');
  const root = ARTIFACTS_ROOT.split('/');
  if (parts.length !== root.length + 3 || root.some((segment, i) => parts[i] !== segment)) return undefined;
  const [feature, lane, file] = parts.slice(root.length);
  const kind = KIND_OF_FILE[file];
  if (!kind || !feature || !lane || lane === INTEGRATION_DIR) return undefined;
  return { feature, lane, kind };
}

/** The plugin's folder in the git common dir (locks, the prune record): shared by every checkout, scanned by no tool. */
export const LANES_GIT_DIR = 'nx-agent-lanes';

/** The last `nx` command's lane summary, as the run-level hook printed it. */
export const RUN_SUMMARY_FILE = `${ARTIFACTS_ROOT}/last-run-summary.txt`;
