import type { Feature } from '../feature/feature-types';
import { sha256 } from '../hashing/sha256';
import {
  laneArtifactFiles,
  readLanePatch,
  readLaneResult,
  readRanIn,
  readVerifyResult,
  type LaneResult,
  type VerifyResult,
} from '../layout';
import type { LaneNotes } from '../notes/lane-notes';
import { readLaneNotes } from '../notes/read-lane-notes';

/** What one lane's declared outputs say, as integrate finds them. */
export interface LaneState {
  name: string;
  result?: LaneResult;
  verify?: VerifyResult;
  patch?: string;
  notes: LaneNotes;
  /** The `nx` command whose run produced this result, when the agent ran on this machine. */
  ranIn?: string;
}

/** Reads every lane's artifacts: only declared outputs, so this works on any machine Nx restored them to. */
export function readLaneStates(workspaceRoot: string, feature: Feature): LaneState[] {
  return feature.lanes.map((lane) => {
    const artifacts = laneArtifactFiles(workspaceRoot, feature.name, lane.name);
    return {
      name: lane.name,
      result: readLaneResult(artifacts),
      verify: readVerifyResult(artifacts),
      patch: readLanePatch(artifacts),
      notes: readLaneNotes(workspaceRoot, feature.root, lane.name),
      ranIn: readRanIn(artifacts),
    };
  });
}

/** Lanes that may not be merged yet, and why. Nx's dependsOn should prevent this; artifacts have the last word. */
export function planReadiness(states: readonly LaneState[]): Array<{ lane: string; why: string }> {
  const notReady: Array<{ lane: string; why: string }> = [];
  for (const s of states) {
    if (!s.result) notReady.push({ lane: s.name, why: 'the lane has not run (no result.json)' });
    else if (s.result.status !== 'done')
      notReady.push({ lane: s.name, why: `the lane is ${s.result.status}${s.result.question ? `: ${s.result.question}` : s.result.reason ? `: ${s.result.reason}` : ''}` });
    else if (s.patch === undefined) notReady.push({ lane: s.name, why: 'lane.patch is missing' });
    else if (!s.verify) notReady.push({ lane: s.name, why: 'the lane has not been verified (no verify.json)' });
    else if (!s.verify.passed) notReady.push({ lane: s.name, why: `verification failed: ${s.verify.reason ?? 'see verify.json'}` });
    else if (s.verify.patchSha256 !== sha256(s.patch)) notReady.push({ lane: s.name, why: 'lane.patch changed after it was verified' });
  }
  return notReady;
}

