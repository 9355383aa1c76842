/**
 * The plugin's user-facing errors. Each says what is wrong, where, and what to do next;
 * executors print `message` and return `{ success: false }` instead of a stack trace.
 */

/** A problem found in a plan file, located to the character. */
export interface PlanProblem {
  /** Workspace-relative path of the file the problem is in. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
  /** What is wrong and what to do, in one sentence or two. */
  message: string;
}

export function formatProblem(problem: PlanProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`;
}

/** Base class: an error meant for a person, printed without a stack trace. */
export class LanesError extends Error {
  /** What to run or change next, when there is one obvious step. */
  readonly hint?: string;
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LanesError';
    this.hint = options.hint;
  }
  /** The message with its hint, as a person should read it. */
  describe(): string {
    return this.hint ? `${this.message}\n${this.hint}` : this.message;
  }
}

/** A feature plan (feature.jsonc and the files it names) that cannot be used. All problems at once. */
export class PlanError extends LanesError {
  readonly problems: PlanProblem[];
  constructor(problems: PlanProblem[]) {
    const n = problems.length;
    super(
      `The feature plan has ${n} problem${n === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'PlanError';
    this.problems = problems;
  }
}

/** A git operation that could not be done (not a repository, missing base, conflict, ...). */
export class GitError extends LanesError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'GitError';
  }
}

/** An agent provider that could not start or run (bad command, missing API key, ...). */
export class AgentError extends LanesError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'AgentError';
  }
}

/** Turns any thrown value into text for a person: a LanesError without its stack, anything else with it. */
export function describeError(error: unknown): string {
  if (error instanceof LanesError) return error.describe();
  if (error instanceof Error) return error.stack ?? error.message;
  return String(error);
}

/** The reason a stage records for a failure: a LanesError with its hint, anything else by its message alone. */
export function describeFailure(error: unknown): string {
  if (error instanceof LanesError) return error.describe();
  return error instanceof Error ? error.message : String(error);
}
