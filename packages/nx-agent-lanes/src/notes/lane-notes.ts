import { applyEdits, modify, parse, printParseErrorCode, type ParseError } from 'jsonc-parser';

/**
 * Lane notes: the human's one-line answers to blockers and review feedback, kept next to
 * feature.jsonc in `lane-notes.jsonc` so they are reviewable in git. Each lane's entry is
 * part of that lane's cache key only, so a note reruns one lane and no other.
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

export type FeatureNotes = Record<string, LaneNotes>;

export const EMPTY_NOTES: LaneNotes = Object.freeze({ answers: [], feedback: [] }) as LaneNotes;

export const LANE_NOTES_HEADER =
  '// Answers to lanes\' blockers and review feedback, one entry per lane.\n' +
  '// Written by `nx g nx-agent-lanes:answer` and `nx g nx-agent-lanes:feedback`; edit freely.\n' +
  '// A change to one lane\'s entry reruns that lane only; every other lane stays cached.\n';

/** Parses lane-notes.jsonc text; throws an Error naming the file and position on bad syntax. */
export function parseLaneNotes(text: string, file = 'lane-notes.jsonc'): FeatureNotes {
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true }) as unknown;
  if (errors.length) {
    const { line, column } = lineColumn(text, errors[0].offset);
    throw new Error(`${file}:${line}:${column}: ${printParseErrorCode(errors[0].error)} — fix the JSON or delete the file to start over.`);
  }
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${file}:1:1: expected an object with one entry per lane.`);
  }
  const notes: FeatureNotes = {};
  for (const [lane, entry] of Object.entries(value as Record<string, Partial<LaneNotes>>)) {
    notes[lane] = {
      answers: Array.isArray(entry?.answers)
        ? entry.answers.filter((a) => typeof a?.answer === 'string').map((a) => ({ question: String(a.question ?? ''), answer: a.answer }))
        : [],
      feedback: Array.isArray(entry?.feedback)
        ? entry.feedback.filter((f) => typeof f?.message === 'string').map((f) => ({ message: f.message }))
        : [],
    };
  }
  return notes;
}

export function notesForLane(notes: FeatureNotes, lane: string): LaneNotes {
  return notes[lane] ?? EMPTY_NOTES;
}

/** Returns new lane-notes.jsonc text with one more note appended for a lane; comments and layout are kept. */
export function appendLaneNote(
  text: string | undefined,
  lane: string,
  note: { kind: 'answers'; value: LaneAnswer } | { kind: 'feedback'; value: LaneFeedback },
): string {
  const base = text && text.trim() ? text : `${LANE_NOTES_HEADER}{}\n`;
  const current = notesForLane(parseLaneNotes(base), lane)[note.kind] as unknown[];
  const edits = modify(base, [lane, note.kind, current.length], note.value, {
    formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' },
    isArrayInsertion: true,
  });
  return applyEdits(base, edits);
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}
