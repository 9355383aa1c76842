import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Feature } from '../feature/feature-types';
import { LANE_NOTES_FILE } from '../plugin/feature-targets';
import { parseLaneNotes, type FeatureNotes } from './lane-notes';

/** The feature's lane-notes.jsonc from disk; none yet is no notes. */
export function readFeatureNotes(workspaceRoot: string, feature: Pick<Feature, 'root'>): FeatureNotes {
  const file = join(workspaceRoot, feature.root, LANE_NOTES_FILE);
  return existsSync(file) ? parseLaneNotes(readFileSync(file, 'utf8'), `${feature.root}/${LANE_NOTES_FILE}`) : {};
}
