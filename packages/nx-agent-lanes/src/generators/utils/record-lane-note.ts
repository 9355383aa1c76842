import { logger, type Tree } from '@nx/devkit';
import { parse } from 'jsonc-parser';
import { INTEGRATE_TARGET, RESULT_FILE, laneArtifactsDir, laneNotesFile } from '../../layout';
import { appendLaneNote } from '../../notes/lane-notes';
import { describeFeatures, findFeatures } from './find-features';

export interface RecordLaneNoteOptions {
  feature: string;
  lane: string;
  kind: 'answers' | 'feedback';
  text: string;
  /** For answers: the question answered; default the question in the lane's last result.json. */
  question?: string;
}

/**
 * Appends one answer or one piece of feedback to the lane's notes file (notes/<lane>.jsonc next
 * to the feature's plan), after checking the feature and the lane exist. The next run reruns
 * that lane alone.
 */
export async function recordLaneNote(tree: Tree, options: RecordLaneNoteOptions): Promise<void> {
  const text = options.text?.trim();
  if (!text) throw new Error(`Give the ${options.kind === 'answers' ? 'answer' : 'feedback'} as one line of text.`);
  const features = await findFeatures(tree);
  const feature = features.find((f) => f.name === options.feature);
  if (!feature) {
    throw new Error(`There is no feature named "${options.feature}". Features in this workspace: ${describeFeatures(features)}.`);
  }
  const plan = parse(tree.read(feature.file, 'utf-8') ?? '', [], { allowTrailingComma: true }) as { lanes?: Record<string, unknown> };
  const lanes = Object.keys(plan?.lanes ?? {});
  if (!lanes.includes(options.lane)) {
    throw new Error(`Feature ${feature.name} has no lane "${options.lane}". Its lanes: ${lanes.join(', ') || 'none'} (${feature.file}).`);
  }
  const notesFile = laneNotesFile(feature.root, options.lane);
  const current = tree.exists(notesFile) ? tree.read(notesFile, 'utf-8') ?? undefined : undefined;
  const next =
    options.kind === 'answers'
      ? appendLaneNote(current, {
          kind: 'answers',
          value: { question: options.question ?? lastQuestion(tree, feature.name, options.lane) ?? '', answer: text },
        })
      : appendLaneNote(current, { kind: 'feedback', value: { message: text } });
  tree.write(notesFile, next);
  logger.info(
    `Recorded ${options.kind === 'answers' ? 'the answer' : 'the feedback'} for ${feature.name}/${options.lane} in ${notesFile}. ` +
      `Run \`nx run ${feature.name}:${INTEGRATE_TARGET}\` again: only lane ${options.lane} reruns, every other lane comes from cache.`,
  );
}

/** The question the lane asked when it last blocked, read from its result.json if it is at hand. */
function lastQuestion(tree: Tree, feature: string, lane: string): string | undefined {
  const file = `${laneArtifactsDir(feature, lane)}/${RESULT_FILE}`;
  if (!tree.exists(file)) return undefined;
  try {
    const result = JSON.parse(tree.read(file, 'utf-8') ?? '{}') as { status?: string; question?: string };
    return result.status === 'blocked' ? result.question : undefined;
  } catch {
    return undefined;
  }
}
