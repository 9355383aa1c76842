import { applyEdits, modify, parse, printParseErrorCode, type ParseError } from 'jsonc-parser';

/**
 * A lane's notes: the human's one-line answers to its blockers and review feedback, kept in
 * `notes/<lane>.jsonc` next to feature.jsonc so they are reviewable in git. One file per lane
 * makes each file an input of that lane's tasks alone, so a note reruns one lane and no other.
 */

export interface LaneAnswer {
  question: string;
  answer: string;
}

export interface LaneFeedback {
  message: string;
}

export interface LaneNotes {
  answers: LaneAnswer[];
  feedback: LaneFeedback[];
}

export const EMPTY_NOTES: LaneNotes = Object.freeze({ answers: [], feedback: [] }) as LaneNotes;

export const LANE_NOTES_HEADER =
  '// Answers to this lane\'s blockers and review feedback.\n' +
  '// Written by `nx g nx-agent-lanes:answer` and `nx g nx-agent-lanes:feedback`; edit freely.\n' +
  '// A change here reruns this lane only; every other lane stays cached.\n';

/** Parses one lane's notes file; throws an Error naming the file and position on bad syntax. */
export function parseLaneNotes(text: string, file = 'notes/<lane>.jsonc'): LaneNotes {
  if (!text.trim()) return EMPTY_NOTES;
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true }) as unknown;
  if (errors.length) {
    const { line, column } = lineColumn(text, errors[0].offset);
    throw new Error(`${file}:${line}:${column}: ${printParseErrorCode(errors[0].error)} — fix the JSON or delete the file to start over.`);
  }
  if (value === undefined) return EMPTY_NOTES;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${file}:1:1: expected an object with "answers" and "feedback" lists.`);
  }
  const entry = value as Partial<LaneNotes>;
  return {
    answers: Array.isArray(entry.answers)
      ? entry.answers.filter((a) => typeof a?.answer === 'string').map((a) => ({ question: String(a.question ?? ''), answer: a.answer }))
      : [],
    feedback: Array.isArray(entry.feedback)
      ? entry.feedback.filter((f) => typeof f?.message === 'string').map((f) => ({ message: f.message }))
      : [],
  };
}

/** Returns new notes text with one more note appended; comments and layout are kept. */
export function appendLaneNote(
  text: string | undefined,
  note: { kind: 'answers'; value: LaneAnswer } | { kind: 'feedback'; value: LaneFeedback },
): string {
  const base = text && text.trim() ? text : `${LANE_NOTES_HEADER}{}\n`;
  const current = parseLaneNotes(base)[note.kind] as unknown[];
  const edits = modify(base, [note.kind, current.length], note.value, {
    formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' },
    isArrayInsertion: true,
  });
  return applyEdits(base, edits);
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}
