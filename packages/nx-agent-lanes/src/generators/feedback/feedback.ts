import type { Tree } from '@nx/devkit';
import { recordLaneNote } from '../utils/record-lane-note';
import type { FeedbackGeneratorSchema } from './schema';

/** `nx g nx-agent-lanes:feedback <feature> --lane <lane> --message "..."` */
export async function feedbackGenerator(tree: Tree, options: FeedbackGeneratorSchema): Promise<void> {
  await recordLaneNote(tree, { feature: options.feature, lane: options.lane, kind: 'feedback', text: options.message, force: options.force });
}

export default feedbackGenerator;
