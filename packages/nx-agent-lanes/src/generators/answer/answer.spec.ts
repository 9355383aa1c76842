import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { parseLaneNotes } from '../../notes/lane-notes';
import { feedbackGenerator } from '../feedback/feedback';
import { featureGenerator } from '../feature/feature';
import { laneGenerator } from '../lane/lane';
import { answerGenerator } from './answer';

const notesOf = (lane: string) => `features/export-feature/notes/${lane}.jsonc`;
const resultOf = (lane: string) => `dist/agent-lanes/export-feature/${lane}/result.json`;

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

  it('takes the answer for a lane waiting in place, before it has any result, with the question it asked', async () => {
    tree.write('dist/agent-lanes/export-feature/export-logic/waiting.json', JSON.stringify({ question: 'UTC or local?' }));
    await answerGenerator(tree, { feature: 'export-feature', lane: 'export-logic', answer: 'UTC' });
    expect(parseLaneNotes(tree.read(notesOf('export-logic'), 'utf-8')!).answers).toEqual([{ question: 'UTC or local?', answer: 'UTC' }]);
  });

  it('records feedback for one lane only', async () => {
    tree.write(resultOf('frontend'), JSON.stringify({ status: 'done' }));
    await feedbackGenerator(tree, { feature: 'export-feature', lane: 'frontend', message: 'Send Accept: text/csv' });
    await feedbackGenerator(tree, { feature: 'export-feature', lane: 'frontend', message: 'Revoke the object URL' });
    const notes = parseLaneNotes(tree.read(notesOf('frontend'), 'utf-8')!);
    expect(notes.feedback.map((f) => f.message)).toEqual(['Send Accept: text/csv', 'Revoke the object URL']);
    expect(tree.exists(notesOf('export-logic'))).toBe(false);
  });

  it('refuses an unknown lane or feature and writes nothing', async () => {
    await expect(answerGenerator(tree, { feature: 'export-feature', lane: 'backend', answer: 'x' })).rejects.toThrow(
      'Feature export-feature has no lane "backend". Its lanes: export-logic, frontend (features/export-feature/feature.jsonc).',
    );
    await expect(answerGenerator(tree, { feature: 'nope', lane: 'backend', answer: 'x' })).rejects.toThrow(
      /There is no feature named "nope"\. Features in this workspace: export-feature \(features\/export-feature\/feature\.jsonc\)/,
    );
    await expect(feedbackGenerator(tree, { feature: 'export-feature', lane: 'frontend', message: '  ' })).rejects.toThrow(/one line/);
    expect(tree.exists(notesOf('export-logic'))).toBe(false);
  });

  it('suggests the closest lane and feature for a typo, in both generators', async () => {
    await expect(answerGenerator(tree, { feature: 'export-feature', lane: 'export-logik', answer: 'x' })).rejects.toThrow(
      'Feature export-feature has no lane "export-logik". Did you mean `export-logic`? Its lanes: export-logic, frontend (features/export-feature/feature.jsonc).',
    );
    await expect(feedbackGenerator(tree, { feature: 'export-feature', lane: 'frontnd', message: 'x' })).rejects.toThrow(
      'Feature export-feature has no lane "frontnd". Did you mean `frontend`?',
    );
    await expect(feedbackGenerator(tree, { feature: 'export-feture', lane: 'frontend', message: 'x' })).rejects.toThrow(
      'There is no feature named "export-feture". Did you mean `export-feature`?',
    );
  });

  it('refuses an answer for a lane that has not run or is not blocked, and takes it with --force', async () => {
    await expect(answerGenerator(tree, { feature: 'export-feature', lane: 'export-logic', answer: 'UTC' })).rejects.toThrow(
      'Lane export-logic of export-feature has no result yet (no dist/agent-lanes/export-feature/export-logic/result.json), so it has asked nothing to answer. ' +
        'Run `nx run export-feature:integrate` and answer if it reports a blocker; to record the answer anyway (its result is on another machine, say), add --force and --question "...".',
    );
    tree.write(resultOf('export-logic'), JSON.stringify({ status: 'done' }));
    await expect(answerGenerator(tree, { feature: 'export-feature', lane: 'export-logic', answer: 'UTC' })).rejects.toThrow(
      'Lane export-logic of export-feature is not blocked: its last result (dist/agent-lanes/export-feature/export-logic/result.json) is "done", and an answer would rerun it for nothing. ' +
        'To change its work, send review feedback (`nx g nx-agent-lanes:feedback export-feature --lane export-logic --message "..."`), or add --force to record the answer anyway.',
    );
    tree.write(resultOf('export-logic'), '{ not json');
    await expect(answerGenerator(tree, { feature: 'export-feature', lane: 'export-logic', answer: 'UTC' })).rejects.toThrow(
      'has no readable result (dist/agent-lanes/export-feature/export-logic/result.json cannot be read as a lane result)',
    );
    expect(tree.exists(notesOf('export-logic'))).toBe(false);

    await answerGenerator(tree, { feature: 'export-feature', lane: 'export-logic', question: 'Which zone?', answer: 'UTC', force: true });
    expect(parseLaneNotes(tree.read(notesOf('export-logic'), 'utf-8')!).answers).toEqual([{ question: 'Which zone?', answer: 'UTC' }]);
  });

  it('refuses feedback for a lane with no result, takes it for any result or with --force', async () => {
    await expect(feedbackGenerator(tree, { feature: 'export-feature', lane: 'frontend', message: 'Send Accept: text/csv' })).rejects.toThrow(
      'Lane frontend of export-feature has no result yet (no dist/agent-lanes/export-feature/frontend/result.json), so there is no work to give feedback on. ' +
        'Run `nx run export-feature:integrate` first, or add --force to record the feedback for the lane\'s next run anyway.',
    );
    expect(tree.exists(notesOf('frontend'))).toBe(false);
    await feedbackGenerator(tree, { feature: 'export-feature', lane: 'frontend', message: 'Send Accept: text/csv', force: true });
    tree.write(resultOf('export-logic'), JSON.stringify({ status: 'failed' }));
    await feedbackGenerator(tree, { feature: 'export-feature', lane: 'export-logic', message: 'Quote every field' });
    expect(parseLaneNotes(tree.read(notesOf('frontend'), 'utf-8')!).feedback).toEqual([{ message: 'Send Accept: text/csv' }]);
    expect(parseLaneNotes(tree.read(notesOf('export-logic'), 'utf-8')!).feedback).toEqual([{ message: 'Quote every field' }]);
  });
});
