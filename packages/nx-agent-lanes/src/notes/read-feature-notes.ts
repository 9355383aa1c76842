import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Feature } from '../feature/feature-types';
import { laneNotesFile } from '../layout';
import { parseLaneNotes, type FeatureNotes } from './lane-notes';

/** The feature's lane-notes.jsonc from disk; none yet is no notes. */
export function readFeatureNotes(workspaceRoot: string, feature: Pick<Feature, 'root'>): FeatureNotes {
  const notes = laneNotesFile(feature.root);
  const file = join(workspaceRoot, notes);
  return existsSync(file) ? parseLaneNotes(readFileSync(file, 'utf8'), notes) : {};
}
