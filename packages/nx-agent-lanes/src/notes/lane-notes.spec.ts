import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendLaneNote, parseLaneNotes } from './lane-notes';
import { readLaneNotes } from './read-lane-notes';

describe('lane notes', () => {
  it('starts a file with a header and appends answers and feedback', () => {
    let text = appendLaneNote(undefined, {
      kind: 'answers',
      value: { question: 'UTC or local time?', answer: 'UTC, with an explicit column header' },
    });
    text = appendLaneNote(text, { kind: 'feedback', value: { message: 'Revoke the object URL' } });
    text = appendLaneNote(text, { kind: 'answers', value: { question: 'Quote all?', answer: 'Only when needed' } });
    expect(text.startsWith('// Answers to this lane')).toBe(true);
    const notes = parseLaneNotes(text);
    expect(notes.answers.map((a) => a.answer)).toEqual(['UTC, with an explicit column header', 'Only when needed']);
    expect(notes.feedback).toEqual([{ message: 'Revoke the object URL' }]);
    expect(parseLaneNotes('')).toEqual({ answers: [], feedback: [] });
  });

  it("keeps the user's comments when appending", () => {
    const text = '{\n  // asked on Monday\n  "answers": []\n}\n';
    const next = appendLaneNote(text, { kind: 'answers', value: { question: 'q', answer: 'a' } });
    expect(next).toContain('// asked on Monday');
    expect(parseLaneNotes(next).answers).toEqual([{ question: 'q', answer: 'a' }]);
  });

  it('names the file, line and column of a syntax error', () => {
    expect(() => parseLaneNotes('{\n  "answers": [\n}', 'features/x/notes/backend.jsonc')).toThrow(
      /^features\/x\/notes\/backend\.jsonc:3:1: /,
    );
  });
});

describe('readLaneNotes', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'lane-notes-'));
    mkdirSync(join(root, 'features/f/notes'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("reads the lane's own file, and no file is no notes", () => {
    expect(readLaneNotes(root, 'features/f', 'api')).toEqual({ answers: [], feedback: [] });
    writeFileSync(join(root, 'features/f/notes/api.jsonc'), '{ "answers": [{ "question": "q", "answer": "a" }] }');
    expect(readLaneNotes(root, 'features/f', 'api').answers).toEqual([{ question: 'q', answer: 'a' }]);
  });

  it('refuses a lane whose notes are still in the one-file layout, naming both files', () => {
    writeFileSync(join(root, 'features/f/lane-notes.jsonc'), '{ "api": { "answers": [{ "question": "q", "answer": "UTC" }] } }');
    expect(() => readLaneNotes(root, 'features/f', 'api')).toThrow(/features\/f\/lane-notes\.jsonc holds notes for lane api/);
    expect(readLaneNotes(root, 'features/f', 'web')).toEqual({ answers: [], feedback: [] });
  });
});
