import { logger, type Tree } from '@nx/devkit';
import { parse } from 'jsonc-parser';
import { LanesError } from '../../errors';
import { describeSuggestion } from '../../feature/suggest-name';
import { INTEGRATE_TARGET, RESULT_FILE, WAITING_FILE, laneArtifactsDir, laneNotesFile } from '../../layout';
import { appendLaneNote } from '../../notes/lane-notes';
import { describeFeatures, findFeatures, type FeatureLocation } from './find-features';

export interface RecordLaneNoteOptions {
  feature: string;
  lane: string;
  kind: 'answers' | 'feedback';
  text: string;
  /** For answers: the question answered; default the question in the lane's last result.json. */
  question?: string;
  /** Record the note whatever the lane's last result says (or when there is none). */
  force?: boolean;
}

/** What the lane's last result.json says, as far as a note needs it. */
interface LastResult {
  /** Workspace-relative path of result.json. */
  file: string;
  /** `missing`, `unreadable`, or the lane's status (`done`, `blocked`, ...). */
  status: string;
  question?: string;
}

/**
 * Appends one answer or one piece of feedback to the lane's notes file (notes/<lane>.jsonc next
 * to the feature's plan), after checking the feature and the lane exist and that the note has
 * something to act on: an answer needs a blocked lane, feedback a lane that has a result. A note
 * reruns the lane, so one that cannot help would pay for an agent run for nothing.
 */
export async function recordLaneNote(tree: Tree, options: RecordLaneNoteOptions): Promise<void> {
  const text = options.text?.trim();
  if (!text) throw new LanesError(`Give the ${options.kind === 'answers' ? 'answer' : 'feedback'} as one line of text.`);
  const features = await findFeatures(tree);
  const feature = features.find((f) => f.name === options.feature);
  if (!feature) {
    throw new LanesError(
      `There is no feature named "${options.feature}".${describeSuggestion(options.feature, features.map((f) => f.name))} ` +
        `Features in this workspace: ${describeFeatures(features)}.`,
    );
  }
  const plan = parse(tree.read(feature.file, 'utf-8') ?? '', [], { allowTrailingComma: true }) as { lanes?: Record<string, unknown> };
  const lanes = Object.keys(plan?.lanes ?? {});
  if (!lanes.includes(options.lane)) {
    throw new LanesError(
      `Feature ${feature.name} has no lane "${options.lane}".${describeSuggestion(options.lane, lanes)} ` +
        `Its lanes: ${lanes.join(', ') || 'none'} (${feature.file}).`,
    );
  }
  const last = readLastResult(tree, feature.name, options.lane);
  if (!options.force) refuseUseless({ feature, lane: options.lane, kind: options.kind, last });

  const notesFile = laneNotesFile(feature.root, options.lane);
  const current = tree.exists(notesFile) ? tree.read(notesFile, 'utf-8') ?? undefined : undefined;
  const next =
    options.kind === 'answers'
      ? appendLaneNote(current, {
          kind: 'answers',
          value: { question: options.question ?? (last.status === 'blocked' ? last.question : undefined) ?? '', answer: text },
        })
      : appendLaneNote(current, { kind: 'feedback', value: { message: text } });
  tree.write(notesFile, next);
  logger.info(
    `Recorded ${options.kind === 'answers' ? 'the answer' : 'the feedback'} for ${feature.name}/${options.lane} in ${notesFile}. ` +
      `Run \`nx run ${feature.name}:${INTEGRATE_TARGET}\` again: only lane ${options.lane} reruns, every other lane comes from cache.`,
  );
}

function refuseUseless(options: { feature: FeatureLocation; lane: string; kind: RecordLaneNoteOptions['kind']; last: LastResult }): void {
  const { feature, lane, kind, last } = options;
  const name = `Lane ${lane} of ${feature.name}`;
  const run = `nx run ${feature.name}:${INTEGRATE_TARGET}`;
  const absent =
    last.status === 'missing'
      ? `has no result yet (no ${last.file})`
      : last.status === 'unreadable'
        ? `has no readable result (${last.file} cannot be read as a lane result)`
        : undefined;
  if (kind === 'feedback') {
    if (absent === undefined) return;
    throw new LanesError(
      `${name} ${absent}, so there is no work to give feedback on. Run \`${run}\` first, ` +
        'or add --force to record the feedback for the lane\'s next run anyway.',
    );
  }
  if (last.status === 'blocked') return;
  if (absent !== undefined) {
    throw new LanesError(
      `${name} ${absent}, so it has asked nothing to answer. Run \`${run}\` and answer if it reports a blocker; ` +
        'to record the answer anyway (its result is on another machine, say), add --force and --question "...".',
    );
  }
  throw new LanesError(
    `${name} is not blocked: its last result (${last.file}) is "${last.status}", and an answer would rerun it for nothing. ` +
      `To change its work, send review feedback (\`nx g nx-agent-lanes:feedback ${feature.name} --lane ${lane} --message "..."\`), ` +
      'or add --force to record the answer anyway.',
  );
}

/** The lane's last result.json, if it is at hand; a lane waiting in place for its answer reads as blocked. */
function readLastResult(tree: Tree, feature: string, lane: string): LastResult {
  const waiting = `${laneArtifactsDir(feature, lane)}/${WAITING_FILE}`;
  if (tree.exists(waiting)) {
    try {
      const { question } = JSON.parse(tree.read(waiting, 'utf-8') ?? '') as { question?: unknown };
      return { file: waiting, status: 'blocked', ...(typeof question === 'string' ? { question } : {}) };
    } catch {
      // Being written or removed right now: the lane is waiting either way.
      return { file: waiting, status: 'blocked' };
    }
  }
  const file = `${laneArtifactsDir(feature, lane)}/${RESULT_FILE}`;
  if (!tree.exists(file)) return { file, status: 'missing' };
  try {
    const result = JSON.parse(tree.read(file, 'utf-8') ?? '') as { status?: unknown; question?: unknown };
    if (typeof result?.status !== 'string') return { file, status: 'unreadable' };
    return { file, status: result.status, ...(typeof result.question === 'string' ? { question: result.question } : {}) };
  } catch {
    return { file, status: 'unreadable' };
  }
}
