/**
 * The one small interface every agent provider (`anthropic`, `claude-code`, `command`) implements. A provider
 * runs one lane's agent in the lane's worktree and says how it ended; it does not touch git,
 * write artifacts or decide about caching: the agent-lane executor does that around it.
 */
import type { AgentConfig, OutputLimits } from '../feature/feature-types';
import type { LanePrompt } from '../prompt/build-lane-prompt';
import type { LaneProcessRunner } from '../stage/lane-process-runner';

export type LaneStatus = 'done' | 'blocked' | 'failed' | 'over-budget';

export interface TokenUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface AgentRunInput {
  feature: string;
  lane: string;
  /** The lane's worktree: the agent's working directory. */
  worktree: string;
  prompt: LanePrompt;
  agent: AgentConfig;
  testCommand: string;
  /** `otherLanes` lets a refusal name the lane that owns a path; their `forbids` keep that name right. */
  ownership: { owns: string[]; forbids: string[]; otherLanes: Array<{ name: string; owns: string[]; forbids?: string[] }> };
  /**
   * The agent's environment: no credential, `ANTHROPIC_BASE_URL` at the lane's address on the
   * metering proxy and a placeholder `ANTHROPIC_API_KEY`.
   */
  env: NodeJS.ProcessEnv;
  /** The environment of the lane's tests (the anthropic provider's run_tests): no credential, no proxy. */
  testEnv: NodeJS.ProcessEnv;
  /** Runs a process of the lane (the agent command, the tests) in the lane's sandbox, redacted and capped. */
  runProcess: LaneProcessRunner;
  /** Abort means stop now and keep what was done; the run then ends as `failed`, reason `interrupted`. */
  signal: AbortSignal;
  /** One line per event, for a person following progress. */
  log: (line: string) => void;
  /** Appended to transcript.jsonl by the caller, which redacts secrets. */
  transcript: (event: Record<string, unknown>) => void;
  /** A private directory outside the worktree, for blocker and prompt files. */
  scratchDir: string;
  /**
   * Ask a person now: an answer lets the agent go on in place, undefined ends the lane as
   * `blocked`. Providers that cannot take an answer mid-run ignore it.
   */
  onBlocker?: (question: string) => Promise<string | undefined>;
  /** A conversation saved by an earlier blocked run (provider-specific), to continue with `answer`. */
  resume?: { messages: unknown[] };
  /** The person's answer to the blocker that ended the resumed run. */
  answer?: string;
  /**
   * Turns and spend the lane's limits already count before this run (a resumed conversation, an
   * earlier run in the same task): progress lines go on from them instead of starting at turn 1.
   */
  spentBefore?: { turns: number; costUsd: number };
  /** Told the process group of a long-lived agent process, so a run killed with -9 can stop it later. */
  onProcessGroup?: (pgid: number) => void;
  /**
   * Secret values out of one whole text. A provider redacts before it cuts anything short (a
   * log line, a transcript string): cut first, a secret straddling the cut keeps its first part.
   */
  redact?: (text: string) => string;
  /** The lane's caps on what its agent's output may fill (log and transcript). */
  limits?: OutputLimits;
}

export interface AgentRunResult {
  status: LaneStatus;
  /** The blocker's question, when `status` is `blocked`. */
  question?: string;
  /** Why the lane failed or went over budget, for a person. */
  reason?: string;
  /** The agent's own closing summary, when it gave one. */
  summary?: string;
  turns: number;
  usage: TokenUsage;
  costUsd: number;
  /** Tool calls the agent's own harness refused (Claude Code's permission_denials, ownership refusals), one line each. */
  permissionDenials?: string[];
}

export interface AgentProviderImpl {
  name: string;
  run(input: AgentRunInput): Promise<AgentRunResult>;
}

/** Two usages added up (turns of a run, runs of a lane, lanes of a feature). */
export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return { input: a.input + b.input, output: a.output + b.output, cacheRead: a.cacheRead + b.cacheRead, cacheWrite: a.cacheWrite + b.cacheWrite };
}

/** A cost as written into artifacts: to the micro-dollar, so sums of floats read cleanly. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}

/** Usage of a run that reported none (a command agent that prints no result record). */
export function createZeroUsage(): TokenUsage {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
}
