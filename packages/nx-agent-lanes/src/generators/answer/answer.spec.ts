import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { parseLaneNotes } from '../../notes/lane-notes';
import { feedbackGenerator } from '../feedback/feedback';
import { featureGenerator } from '../feature/feature';
import { laneGenerator } from '../lane/lane';
import { answerGenerator } from './answer';

const notesOf = (lane: string) => `features/export-feature/notes/${lane}.jsonc`;

describe('answer and feedback generators', () => {
  let tree: Tree;

  beforeEach(async () => {
    tree = createTreeWithEmptyWorkspace();
    await featureGenerator(tree, { name: 'export-feature', goal: 'CSV exports', skipFormat: true });
    await laneGenerator(tree, { feature: 'export-feature', name: 'export-logic', owns: 'libs/export/src/csv.ts', test: 'npx jest csv', skipFormat: true });
    await laneGenerator(tree, { feature: 'export-feature', name: 'frontend', owns: 'apps/web/src/export.tsx', test: 'npx jest web', skipFormat: true });
  });

  it('records the answer with the question from the lane\'s last result', async () => {
    tree.write(
      'dist/agent-lanes/export-feature/export-logic/result.json',
      JSON.stringify({ status: 'blocked', question: 'UTC or local time in the CSV?' }),
    );
    await answerGenerator(tree, { feature: 'export-feature', lane: 'export-logic', answer: 'UTC, with an explicit column header' });
    const notes = parseLaneNotes(tree.read(notesOf('export-logic'), 'utf-8')!);
    expect(notes.answers).toEqual([{ question: 'UTC or local time in the CSV?', answer: 'UTC, with an explicit column header' }]);
    expect(tree.exists(notesOf('frontend'))).toBe(false);
  });

  it('records feedback for one lane only', async () => {
    await feedbackGenerator(tree, { feature: 'export-feature', lane: 'frontend', message: 'Send Accept: text/csv' });
    await feedbackGenerator(tree, { feature: 'export-feature', lane: 'frontend', message: 'Revoke the object URL' });
    const notes = parseLaneNotes(tree.read(notesOf('frontend'), 'utf-8')!);
    expect(notes.feedback.map((f) => f.message)).toEqual(['Send Accept: text/csv', 'Revoke the object URL']);
    expect(tree.exists(notesOf('export-logic'))).toBe(false);
  });

  it('refuses an unknown lane or feature and writes nothing', async () => {
    await expect(answerGenerator(tree, { feature: 'export-feature', lane: 'backend', answer: 'x' })).rejects.toThrow(
      'Feature export-feature has no lane "backend". Its lanes: export-logic, frontend',
    );
    await expect(answerGenerator(tree, { feature: 'nope', lane: 'backend', answer: 'x' })).rejects.toThrow(
      /There is no feature named "nope"\. Features in this workspace: export-feature \(features\/export-feature\/feature\.jsonc\)/,
    );
    await expect(feedbackGenerator(tree, { feature: 'export-feature', lane: 'frontend', message: '  ' })).rejects.toThrow(/one line/);
    expect(tree.exists(notesOf('export-logic'))).toBe(false);
  });
});
