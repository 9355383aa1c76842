/**
 * The prompt one lane's agent works from, built from literal inputs (no files, no clock).
 *
 * It comes in two parts because the Anthropic API caches a prompt prefix: `system` holds only
 * what every lane of a feature shares (the rules, the goal, the contract), so it is identical
 * bytes for every lane and every turn and is paid for once; `task` holds what is particular to
 * one lane. Command agents get both as one markdown document (`full`).
 */

export interface LanePromptInput {
  feature: { name: string; goal: string };
  lane: { name: string; owns: string[]; forbids: string[]; test: string; after: string[] };
  /** The lane's spec markdown text. */
  spec: string;
  /** contract.md text. */
  contract: string;
  /** So the agent knows whose files it must not touch. The lane itself, if listed, is skipped. */
  otherLanes: Array<{ name: string; owns: string[] }>;
  /** Answers to earlier blockers, oldest first. */
  answers: Array<{ question: string; answer: string }>;
  /** Review feedback, oldest first. */
  feedback: Array<{ message: string }>;
  /** When feedback asks for a fix on top of the previous result: that result, as a patch. */
  previousPatch?: string;
}

export interface LanePrompt {
  /** Shared by every lane of the feature: rules, goal, contract. Byte-stable. */
  system: string;
  /** This lane only: spec, files, acceptance test, answers, feedback, previous patch. */
  task: string;
  /** `system` then `task`, as one markdown document (what command agents receive). */
  full: string;
}

export function buildLanePrompt(input: LanePromptInput): LanePrompt {
  const system = joinSections(buildSystemSections(input.feature, input.contract));
  const task = joinSections(buildTaskSections(input));
  return { system, task, full: `${system}\n${task}` };
}

function buildSystemSections(feature: LanePromptInput['feature'], contract: string): string[] {
  return [
    `# Feature: ${feature.name}\n\n` +
      'You are one of several AI coding agents building this feature together. The feature is ' +
      'split into lanes; each agent works on one lane, in its own git worktree, at the same time ' +
      'as the others. Your lane, its spec and its files are described in your task below. When ' +
      'every lane is done, the lanes are merged and an integration test runs across them.',
    `## Goal of the feature\n\n${normalizeText(feature.goal)}`,
    '## Rules\n\n' +
      [
        'Change only the files your lane owns. Other lanes own other files and are changing them ' +
          'right now; a change outside your files fails your lane. Never touch a forbidden file.',
        'Build against the contract below exactly: the same names, signatures, types, paths and ' +
          'formats. Do not change the contract; other lanes rely on it as written.',
        'Write tests for what you build, in files you own, and make your acceptance test pass ' +
          'before you finish.',
        'When something is not settled by the spec, the contract or the answers you were given ' +
          '(a product decision, an ambiguity, something another lane must provide), do not ' +
          'guess: report a blocker with one clear question, then stop.',
        'Leave your changes in the working tree. Do not commit, switch branches, stash, reset or ' +
          'push: whatever you changed in the worktree is your lane\'s result.',
        'Finish with a short summary: what you changed, file by file; how you tested it; ' +
          'anything a reviewer should look at.',
      ]
        .map((rule, i) => `${i + 1}. ${rule}`)
        .join('\n'),
    '## How to report a blocker\n\n' +
      'If you have a tool for reporting a blocker, use it. Otherwise write the question, in one ' +
      'or two sentences a person can answer in one line, to the file named by the ' +
      '`LANE_BLOCKER_FILE` environment variable, and exit with status 0. Only your lane stops; ' +
      'the answer comes back to you in a later run.',
    `## Contract\n\nEvery lane builds against this contract (contract.md):\n\n${fence(contract, 'markdown')}`,
  ];
}

function buildTaskSections(input: LanePromptInput): string[] {
  const { feature, lane } = input;
  const sections = [
    `# Your lane: ${lane.name}\n\n` +
      `You are the agent for lane \`${lane.name}\` of feature \`${feature.name}\`.`,
    `## Spec\n\n${fence(input.spec, 'markdown')}`,
    '## Files you own\n\nYou may create, change or delete only these paths (globs allowed):\n\n' +
      bulletPaths(lane.owns),
    '## Files you must not touch\n\n' +
      (lane.forbids.length > 0
        ? `These are forbidden to your lane:\n\n${bulletPaths(lane.forbids)}\n\n` +
          'Anything else you do not own is off limits too.'
        : 'No file is named as forbidden, but anything you do not own is off limits.'),
  ];
  const others = input.otherLanes
    .filter((other) => other.name !== lane.name)
    .sort((a, b) => compareText(a.name, b.name));
  if (others.length > 0) {
    sections.push(
      '## Other lanes\n\n' +
        'Other agents own these files and are changing them at the same time as you. Do not ' +
        'edit them; rely on the contract for what they provide.\n\n' +
        others
          .map((other) => `- \`${other.name}\`: ${other.owns.map((p) => `\`${p}\``).join(', ') || '(no files)'}`)
          .join('\n'),
    );
  }
  if (lane.after.length > 0) {
    sections.push(
      '## Lanes before yours\n\n' +
        `Your lane starts from the result of ${lane.after.map((name) => `\`${name}\``).join(', ')}: ` +
        'their changes are already in your worktree. Use them; do not change their files.',
    );
  }
  sections.push(
    '## Acceptance test\n\nYour lane is done when this command passes in your working directory:\n\n' +
      fence(lane.test, 'sh'),
  );
  if (input.answers.length > 0) {
    sections.push(
      '## Answers to your earlier questions\n\nThese are decisions; follow them. Oldest first.\n\n' +
        input.answers
          .map((a, i) => `${i + 1}. Question: ${normalizeText(a.question)}\n   Answer: ${normalizeText(a.answer)}`)
          .join('\n'),
    );
  }
  if (input.feedback.length > 0) {
    sections.push(
      '## Review feedback\n\nA reviewer asked for these changes to your lane. Oldest first; a later ' +
        'item wins over an earlier one.\n\n' +
        input.feedback.map((f, i) => `${i + 1}. ${normalizeText(f.message)}`).join('\n'),
    );
  }
  if (input.previousPatch !== undefined && input.previousPatch.trim() !== '') {
    sections.push(
      '## Your previous result\n\nThis is the change your lane made last time. Your worktree ' +
        'already contains it: change it as the feedback asks rather than starting over.\n\n' +
        fence(input.previousPatch, 'diff'),
    );
  }
  return sections;
}

/** Sections separated by one blank line; the document ends with one newline. */
function joinSections(sections: string[]): string {
  return `${sections.join('\n\n')}\n`;
}

/**
 * Text from files and from people, made byte-stable: CRLF from a Windows checkout would
 * otherwise give a different prompt (and miss the prompt cache) for the same plan.
 */
function normalizeText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\s+$/, '');
}

/**
 * Verbatim text in a code fence longer than any backtick run inside it, so a spec or a patch
 * containing ``` cannot end the block early and spill into the rules around it.
 */
function fence(text: string, info: string): string {
  const body = normalizeText(text);
  const longestRun = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const marks = '`'.repeat(Math.max(3, longestRun + 1));
  return `${marks}${info}\n${body}\n${marks}`;
}

function bulletPaths(paths: string[]): string {
  return paths.map((p) => `- \`${p}\``).join('\n');
}

/** Code-unit order, not localeCompare: the same bytes on every machine and locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
