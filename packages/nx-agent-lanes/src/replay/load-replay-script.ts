import { readFileSync } from 'node:fs';
import { findNodeAtLocation, parse, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { formatProblem, LanesError, type PlanProblem } from '../errors';
import type { ReplayScript } from './script-types';
import { validateReplayScript } from './validate-replay-script';

/**
 * Reads and validates a replay script (JSON; comments allowed). Throws a LanesError that lists
 * every problem as `file:line:column: what is wrong`.
 */
export function loadReplayScript(file: string): ReplayScript {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new LanesError(`Cannot read the replay script ${file}: ${(cause as Error).message}`, {
      hint: 'Record one with `cli.js record --upstream URL --out FILE`, or check the path.',
      cause,
    });
  }
  return parseReplayScript({ text, file });
}

/** The pure half of `loadReplayScript`: text in, script or LanesError out. */
export function parseReplayScript(options: { text: string; file: string }): ReplayScript {
  const { text, file } = options;
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const problems: PlanProblem[] = errors.map((e) => ({
    file,
    ...locate(text, e.offset),
    message: `Invalid JSON: ${printParseErrorCode(e.error)}.`,
  }));
  if (problems.length === 0) {
    const value: unknown = parse(text, [], { allowTrailingComma: true });
    for (const problem of validateReplayScript(value)) {
      const where = locate(text, tree ? locateNearest(tree, problem.path) : 0);
      const path = problem.path.length ? ` (at ${formatPath(problem.path)})` : '';
      problems.push({ file, ...where, message: `${problem.message}${path}` });
    }
    if (problems.length === 0) return value as ReplayScript;
  }
  const n = problems.length;
  throw new LanesError(
    `The replay script has ${n} problem${n === 1 ? '' : 's'}:\n` +
      problems.map((p) => `  ${formatProblem(p)}`).join('\n'),
    { hint: 'Fix the script, or record it again from a real session.' },
  );
}

/** Offset of the value at `path`, or of its nearest existing ancestor (a missing key points at its object). */
function locateNearest(tree: Node, path: Array<string | number>): number {
  for (let length = path.length; length >= 0; length--) {
    const node = findNodeAtLocation(tree, path.slice(0, length));
    if (node) return node.offset;
  }
  return tree.offset;
}

function locate(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function formatPath(path: Array<string | number>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
