import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { laneNotesFile } from '../layout';
import { EMPTY_NOTES, parseLaneNotes, type LaneNotes } from './lane-notes';

/** A lane's notes from disk; no file yet is no notes. */
export function readLaneNotes(workspaceRoot: string, featureRoot: string, lane: string): LaneNotes {
  const notes = laneNotesFile(featureRoot, lane);
  const file = join(workspaceRoot, notes);
  return existsSync(file) ? parseLaneNotes(readFileSync(file, 'utf8'), notes) : EMPTY_NOTES;
}
