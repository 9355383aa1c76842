import { appendLaneNote, notesForLane, parseLaneNotes } from './lane-notes';

describe('lane notes', () => {
  it('starts a file with a header and appends answers and feedback per lane', () => {
    let text = appendLaneNote(undefined, 'export-logic', {
      kind: 'answers',
      value: { question: 'UTC or local time?', answer: 'UTC, with an explicit column header' },
    });
    text = appendLaneNote(text, 'frontend', { kind: 'feedback', value: { message: 'Revoke the object URL' } });
    text = appendLaneNote(text, 'export-logic', { kind: 'answers', value: { question: 'Quote all?', answer: 'Only when needed' } });
    expect(text.startsWith('// Answers to lanes')).toBe(true);
    const notes = parseLaneNotes(text);
    expect(notesForLane(notes, 'export-logic').answers.map((a) => a.answer)).toEqual([
      'UTC, with an explicit column header',
      'Only when needed',
    ]);
    expect(notesForLane(notes, 'frontend').feedback).toEqual([{ message: 'Revoke the object URL' }]);
    expect(notesForLane(notes, 'docs')).toEqual({ answers: [], feedback: [] });
  });

  it('keeps the user\'s comments when appending', () => {
    const text = '{\n  // asked on Monday\n  "backend": { "answers": [] }\n}\n';
    const next = appendLaneNote(text, 'backend', { kind: 'answers', value: { question: 'q', answer: 'a' } });
    expect(next).toContain('// asked on Monday');
    expect(parseLaneNotes(next).backend.answers).toEqual([{ question: 'q', answer: 'a' }]);
  });

  it('names the file, line and column of a syntax error', () => {
    expect(() => parseLaneNotes('{\n  "a": [\n}', 'features/x/lane-notes.jsonc')).toThrow(
      /^features\/x\/lane-notes\.jsonc:3:1: /,
    );
  });
});
