import { formatProblem, type PlanProblem } from '../errors';
import { EXAMPLE_PLAN, PLAN_RULES } from './plan-format';
import type { Proposal, ProposalReview } from './decompose-types';

export interface DecomposePromptInput {
  feature: string;
  /** Workspace-relative folder the plan is written to. */
  directory: string;
  goal: string;
  /** Lanes the person asked for, when they did. */
  lanes?: number;
  /** renderWorkspace's section. */
  workspace: string;
  /** How this provider hands its proposal over (a tool, a folder). */
  howToPropose: string;
}

export interface DecomposePrompt {
  system: string;
  task: string;
}

/**
 * The prompt of decompose's first round. The system prompt names the feature, so a replay script
 * (and a person reading a transcript) can tell a decompose session from a lane's.
 */
export function buildDecomposePrompt(input: DecomposePromptInput): DecomposePrompt {
  const system =
    `You are proposing the plan of feature \`${input.feature}\` for nx-agent-lanes, which runs one AI coding agent per lane, ` +
    'in parallel, each in its own git worktree with its own files and its own test, then merges them and runs the integration test. ' +
    'You read the workspace with your tools; you do not change it. Your plan is checked by the plugin\'s validator before anyone runs it.';
  const task = [
    `# Propose the plan of feature \`${input.feature}\``,
    '',
    `Goal: ${input.goal}`,
    '',
    input.lanes ? `Split it into exactly ${input.lanes} lanes.` : 'Split it into as many lanes as the work has independent pieces (usually 2 to 6).',
    `The plan goes into \`${input.directory}/\`; paths in \`owns\`, \`forbids\` and \`test\` are relative to the workspace root.`,
    '',
    input.workspace,
    PLAN_RULES,
    EXAMPLE_PLAN,
    '## How to hand in your plan',
    '',
    input.howToPropose,
    '',
  ].join('\n');
  return { system, task };
}

/** A problem as the agent sees it: located in the proposal's own file names, not the workspace's. */
export function describeProblemFor(directory: string, problem: PlanProblem): string {
  const prefix = `${directory}/`;
  const file = problem.file.startsWith(prefix) ? problem.file.slice(prefix.length) : problem.file;
  return formatProblem({ ...problem, file });
}

/** The review's text for the agent: accepted, or every problem under a heading of its own. */
export function describeReview(directory: string, review: Omit<ProposalReview, 'feedback'>): string {
  if (review.accepted) return 'The validator accepted your plan. It is written; you are done.';
  const n = review.problems.length;
  return [
    `## Problems with your proposal (round ${review.round})`,
    '',
    `The validator found ${n} problem${n === 1 ? '' : 's'}:`,
    ...review.problems.map((p) => `- ${describeProblemFor(directory, p)}`),
    '',
    review.roundsLeft > 0
      ? `Fix every one and propose the whole plan again (${review.roundsLeft} round${review.roundsLeft === 1 ? '' : 's'} left).`
      : 'No round is left: stop now.',
  ].join('\n');
}

/** The command protocol's next prompt: the first round's task, the previous proposal and its problems. */
export function buildRetryTask(task: string, review: ProposalReview, proposal: Proposal): string {
  const files = Object.entries(proposal.files)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, text]) => `\`${path}\`:\n\`\`\`\n${text.trimEnd()}\n\`\`\``);
  return [task.trimEnd(), '', '## Your previous proposal', '', ...files, '', review.feedback, ''].join('\n');
}
