import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';
import { LanesError } from '../errors';
import { laneNotesFile } from '../layout';
import { EMPTY_NOTES, parseLaneNotes, type LaneNotes } from './lane-notes';

/** Where 0.1 kept every lane's notes in one file; each lane now has its own (see laneNotesFile). */
const LEGACY_NOTES_FILE = 'lane-notes.jsonc';

/**
 * A lane's notes from disk; no file yet is no notes. Notes still in the 0.1 layout stop the lane
 * instead of being ignored: running it without its answers would pay for work it cannot use.
 */
export function readLaneNotes(workspaceRoot: string, featureRoot: string, lane: string): LaneNotes {
  const notes = laneNotesFile(featureRoot, lane);
  refuseLegacyNotes(workspaceRoot, featureRoot, lane, notes);
  const file = join(workspaceRoot, notes);
  return existsSync(file) ? parseLaneNotes(readFileSync(file, 'utf8'), notes) : EMPTY_NOTES;
}

function refuseLegacyNotes(workspaceRoot: string, featureRoot: string, lane: string, notes: string): void {
  const legacy = featureRoot === '' || featureRoot === '.' ? LEGACY_NOTES_FILE : `${featureRoot}/${LEGACY_NOTES_FILE}`;
  const file = join(workspaceRoot, legacy);
  if (!existsSync(file)) return;
  const entry = (parse(readFileSync(file, 'utf8'), [], { allowTrailingComma: true }) as Record<string, unknown> | undefined)?.[lane];
  if (entry === undefined) return;
  throw new LanesError(`${legacy} holds notes for lane ${lane}, but each lane's notes now live in a file of their own.`, {
    hint: `Move the lane's entry (its "answers" and "feedback") into ${notes}, then delete it from ${legacy}; nothing was run.`,
  });
}
