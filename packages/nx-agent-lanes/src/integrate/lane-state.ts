import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Feature } from '../feature/feature-types';
import { sha256 } from '../hashing/lane-hash';
import { PATCH_FILE, RESULT_FILE, VERIFY_FILE, type LaneResult, readArtifact } from '../lanes/lane-result';
import { RAN_IN_FILE } from '../lanes/nx-invocation';
import { notesForLane, type LaneNotes } from '../notes/lane-notes';
import { readFeatureNotes } from '../notes/read-feature-notes';
import { laneArtifactsDir } from '../plugin/feature-targets';
import type { VerifyResult } from '../verify/verify-result';

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
  const notes = readFeatureNotes(workspaceRoot, feature);
  return feature.lanes.map((lane) => {
    const dir = join(workspaceRoot, laneArtifactsDir(feature.name, lane.name));
    return {
      name: lane.name,
      result: readArtifact<LaneResult>(join(dir, RESULT_FILE)),
      verify: readArtifact<VerifyResult>(join(dir, VERIFY_FILE)),
      patch: existsSync(join(dir, PATCH_FILE)) ? readFileSync(join(dir, PATCH_FILE), 'utf8') : undefined,
      notes: notesForLane(notes, lane.name),
      ranIn: existsSync(join(dir, RAN_IN_FILE)) ? readFileSync(join(dir, RAN_IN_FILE), 'utf8').trim() : undefined,
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

