/**
 * The decompose step: an agent reads the goal and the workspace, and proposes a plan (feature.jsonc,
 * contract.md, lanes/<lane>.md) that the plugin's own validator accepts before anyone launches a lane.
 */
import type { PlanProblem } from '../errors';
import type { AgentConfig } from '../feature/feature-types';

/** A proposed plan: file contents by path relative to the feature folder (`feature.jsonc`, `contract.md`, `lanes/<lane>.md`). */
export interface Proposal {
  files: Record<string, string>;
}

/** What the validator said of one proposal. */
export interface ProposalReview {
  accepted: boolean;
  /** Every problem found, located in the proposal's files. */
  problems: PlanProblem[];
  /** 1-based round this proposal was. */
  round: number;
  /** Proposals the agent may still make after this one (0: this was the last). */
  roundsLeft: number;
  /** The review as the agent reads it: accepted, or the problems under their own heading. */
  feedback: string;
}

export type DecomposeProviderName = 'anthropic' | 'claude-code' | 'command';

export interface DecomposerInput {
  feature: string;
  /** The prompt of the first round. */
  system: string;
  task: string;
  /** Where the agent reads the workspace: a clean checkout of its last commit (or the workspace itself without one). */
  readRoot: string;
  /** The workspace root (the command protocol's working directory). */
  workspaceRoot: string;
  agent: AgentConfig;
  /** No credential: `ANTHROPIC_BASE_URL` at the decompose address on the metering proxy and a placeholder key. */
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  log: (line: string) => void;
  /** A private folder outside the workspace. */
  scratchDir: string;
  /** Turns and spend the proxy has counted so far, for progress lines. */
  meter: () => { turns: number; costUsd: number };
  /** Validates one proposal; the decomposer stops proposing once it is accepted or no round is left. */
  review: (proposal: Proposal) => Promise<ProposalReview>;
  /** The command protocol's prompt for the round after `review`: the problems with the previous proposal. */
  retryPrompt: (review: ProposalReview, proposal: Proposal) => string;
}

export interface DecomposerResult {
  /** `finished`: the agent stopped proposing (accepted or out of rounds; the review knows which). */
  status: 'finished' | 'failed' | 'over-budget';
  reason?: string;
}

export interface Decomposer {
  name: DecomposeProviderName;
  /** The prompt's "How to hand in your plan" section: the tool to call, or the folder to write. */
  howToPropose: string;
  propose(input: DecomposerInput): Promise<DecomposerResult>;
}
