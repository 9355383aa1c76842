import type { FaultKind } from './script-types';

/** Something wrong in a replay script, at a JSON path (`['sessions', 0, 'turns']`). */
export interface ScriptProblem {
  path: Array<string | number>;
  message: string;
}

const STOP_REASONS = ['end_turn', 'tool_use', 'max_tokens', 'pause_turn', 'refusal', 'stop_sequence'];
export const FAULT_KINDS: readonly FaultKind[] = [
  'rate-limit',
  'overloaded',
  'server-error',
  'reset',
  'mid-stream-error',
  'stall',
];

type Path = Array<string | number>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringOrStrings(value: unknown): boolean {
  return typeof value === 'string' || (Array.isArray(value) && value.every((s) => typeof s === 'string'));
}

function isNonNegativeNumber(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * Checks a parsed replay script and returns every problem at once (empty when it is usable),
 * so a hand-edited or recorded script fails with all of its mistakes, not the first one.
 */
export function validateReplayScript(value: unknown): ScriptProblem[] {
  const problems: ScriptProblem[] = [];
  const report = (path: Path, message: string) => problems.push({ path, message });
  if (!isRecord(value) || !Array.isArray(value.sessions)) {
    report([], 'A replay script is an object with a "sessions" array.');
    return problems;
  }
  const names = new Set<string>();
  value.sessions.forEach((session, i) => {
    const at: Path = ['sessions', i];
    if (!isRecord(session)) return report(at, 'A session is an object with "name", "match" and "turns".');
    if (typeof session.name !== 'string' || session.name === '') {
      report([...at, 'name'], 'A session needs a non-empty string "name".');
    } else if (names.has(session.name)) {
      report([...at, 'name'], `Session name "${session.name}" is used twice; names must be unique.`);
    } else {
      names.add(session.name);
    }
    checkMatch(session.match, [...at, 'match'], report);
    if (!Array.isArray(session.turns)) {
      report([...at, 'turns'], 'A session needs a "turns" array (one entry per assistant turn).');
    } else {
      session.turns.forEach((turn, t) => checkTurn(turn, [...at, 'turns', t], report));
    }
  });
  return problems;
}

function checkMatch(match: unknown, at: Path, report: (path: Path, message: string) => void): void {
  if (!isRecord(match)) return report(at, 'A session needs a "match" object ({ "contains": ..., "notContains": ... }).');
  for (const key of Object.keys(match)) {
    if (key !== 'contains' && key !== 'notContains') {
      report([...at, key], `Unknown match key "${key}"; use "contains" or "notContains".`);
    } else if (!isStringOrStrings(match[key])) {
      report([...at, key], `"${key}" must be a string or an array of strings.`);
    }
  }
}

function checkTurn(turn: unknown, at: Path, report: (path: Path, message: string) => void): void {
  if (!isRecord(turn)) return report(at, 'A turn is an object with a "content" array.');
  if (!Array.isArray(turn.content)) {
    report([...at, 'content'], 'A turn needs a "content" array of text, thinking and tool_use blocks.');
  } else {
    turn.content.forEach((block, b) => checkBlock(block, [...at, 'content', b], report));
  }
  if (turn.stop_reason !== undefined && !STOP_REASONS.includes(turn.stop_reason as string)) {
    report([...at, 'stop_reason'], `"stop_reason" must be one of ${STOP_REASONS.join(', ')}.`);
  }
  if (turn.latencyMs !== undefined && !isNonNegativeNumber(turn.latencyMs)) {
    report([...at, 'latencyMs'], '"latencyMs" must be a number of milliseconds, 0 or more.');
  }
  if (turn.usage !== undefined) {
    const usage = turn.usage;
    if (!isRecord(usage) || (usage.output_tokens !== undefined && !isNonNegativeNumber(usage.output_tokens))) {
      report([...at, 'usage'], '"usage" must be { "output_tokens": number }.');
    }
  }
}

function checkBlock(block: unknown, at: Path, report: (path: Path, message: string) => void): void {
  if (!isRecord(block)) return report(at, 'A content block is an object with a "type".');
  if (block.type === 'text') {
    if (typeof block.text !== 'string') report([...at, 'text'], 'A text block needs a string "text".');
  } else if (block.type === 'thinking') {
    if (typeof block.thinking !== 'string') report([...at, 'thinking'], 'A thinking block needs a string "thinking".');
    if (block.signature !== undefined && (typeof block.signature !== 'string' || block.signature === '')) {
      report([...at, 'signature'], 'A thinking "signature" must be a non-empty string (or be left out to get a stable one).');
    }
  } else if (block.type === 'tool_use') {
    if (typeof block.name !== 'string' || block.name === '') {
      report([...at, 'name'], 'A tool_use block needs a non-empty string "name".');
    }
    if (!('input' in block)) report(at, 'A tool_use block needs an "input" (the tool arguments).');
    if (block.id !== undefined && (typeof block.id !== 'string' || !/^[A-Za-z0-9_-]+$/.test(block.id))) {
      report([...at, 'id'], 'A tool_use "id" must match ^[A-Za-z0-9_-]+$ (or be left out to get a stable one).');
    }
  } else {
    report([...at, 'type'], 'A content block\'s "type" must be "text", "thinking" or "tool_use".');
  }
}

/** Checks fault rules given in code or on a command line; same problem shape as the script's. */
export function validateFaultRules(value: unknown): ScriptProblem[] {
  const problems: ScriptProblem[] = [];
  if (!Array.isArray(value)) return [{ path: [], message: 'Faults are an array of rules.' }];
  value.forEach((rule, i) => {
    const at: Path = [i];
    if (!isRecord(rule) || !FAULT_KINDS.includes(rule.kind as FaultKind)) {
      problems.push({ path: [...at, 'kind'], message: `A fault's "kind" must be one of ${FAULT_KINDS.join(', ')}.` });
      return;
    }
    for (const key of ['turn', 'times', 'afterEvents']) {
      if (rule[key] !== undefined && !(isNonNegativeNumber(rule[key]) && Number.isInteger(rule[key]))) {
        problems.push({ path: [...at, key], message: `"${key}" must be a whole number, 0 or more.` });
      }
    }
    // Fractions are allowed: the SDK parses retry-after as a float, which keeps tests fast.
    if (rule.retryAfterSeconds !== undefined && !isNonNegativeNumber(rule.retryAfterSeconds)) {
      problems.push({ path: [...at, 'retryAfterSeconds'], message: '"retryAfterSeconds" must be a number, 0 or more.' });
    }
    if (rule.session !== undefined && typeof rule.session !== 'string') {
      problems.push({ path: [...at, 'session'], message: '"session" must be a session name.' });
    }
  });
  return problems;
}
