import type { Tree } from '@nx/devkit';
import { recordLaneNote } from '../utils/record-lane-note';
import type { AnswerGeneratorSchema } from './schema';

/** `nx g nx-agent-lanes:answer <feature> --lane <lane> --answer "..."` */
export async function answerGenerator(tree: Tree, options: AnswerGeneratorSchema): Promise<void> {
  await recordLaneNote(tree, {
    feature: options.feature,
    lane: options.lane,
    kind: 'answers',
    text: options.answer,
    question: options.question,
    force: options.force,
  });
}

export default answerGenerator;
