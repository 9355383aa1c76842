/**
 * The review report's model: everything one integrate run learned, in the shape both
 * renderers (markdown for a pull-request body, self-contained HTML) read. Built by the
 * integrate executor; rendered by pure functions in this folder.
 */
import type { LaneStatus, TokenUsage } from '../agents/provider';
import type { ChangedFile } from '../git/patch-files';
import type { LaneAttempt } from '../layout';

export type IntegrationOutcome = 'green' | 'conflict' | 'integration-test-failed' | 'lanes-not-ready';

export interface LaneReport {
  name: string;
  status: LaneStatus;
  /** The blocker's question, when `status` is `blocked`. */
  question?: string;
  /** Why the lane failed or went over budget. */
  reason?: string;
  /** The agent's closing summary, as it wrote it (untrusted text: renderers escape it). */
  summary?: string;
  files: ChangedFile[];
  tests: { command: string; passed: boolean; exitCode?: number; outputTail?: string; durationMs?: number };
  ownership: { ok: boolean; violations: Array<{ path: string; message: string }> };
  /** Summed over every attempt whose figures are known. */
  turns: number;
  tokens: TokenUsage;
  costUsd: number;
  /** Every attempt of the lane, oldest first (result.json's `attempts`). */
  attempts?: LaneAttempt[];
  /** Attempts whose figures nobody knows (usageSource `none`): renderers say "unknown", not 0. */
  unknownAttempts?: number;
  /** ISO times of the lane's latest agent run. */
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** The lane is marked risky or one of its files matches `review.risky`. */
  risky: boolean;
  riskyFiles: string[];
  /** Unified diff (git format) of the risky files only. */
  riskyDiff?: string;
  answers: Array<{ question: string; answer: string }>;
  feedback: Array<{ message: string }>;
  /** The lane's commit on the integration branch. */
  commit?: string;
  /** The lane's result came from Nx's cache this run: its times belong to an earlier run. */
  fromCache?: boolean;
}

export interface IntegrationReport {
  test?: string;
  passed?: boolean;
  exitCode?: number;
  outputTail?: string;
  durationMs?: number;
  conflict?: {
    /** The lane whose change did not apply. */
    lane: string;
    files: string[];
    /** For each conflicting file, the lanes that changed it. */
    touchedBy: Record<string, string[]>;
  };
}

export interface ReviewReport {
  /** `file` is the workspace-relative path of feature.jsonc. */
  feature: { name: string; goal: string; file: string };
  outcome: IntegrationOutcome;
  /** lanes/<feature> */
  branch: string;
  /** Where the branch points after this run (unchanged on failure). */
  branchCommit?: string;
  baseCommit: string;
  /** ISO */
  generatedAt: string;
  /** First lane start → integration end. */
  wallClockMs: number;
  /** Sum of lane durations, so speed-up = laneTimeSumMs / wallClockMs. */
  laneTimeSumMs: number;
  /** In plan order. */
  lanes: LaneReport[];
  integration: IntegrationReport;
  notReady?: Array<{ lane: string; why: string }>;
  /**
   * Every paid request of the feature: all attempts of all lanes, whichever run made them.
   * `attempts` counts them; `unknownAttempts` those whose figures nobody knows.
   */
  totals: { costUsd: number; tokens: TokenUsage; turns: number; attempts?: number; unknownAttempts?: number };
  /** What this integrate's `nx` command spent: the attempts of the lanes that ran in it. */
  thisRun?: { costUsd: number; lanesRan: number; lanesFromCache: number; unknownAttempts: number };
  /** This report's folder under integration/runs/. */
  runId?: string;
  /** Every integrate run of the feature so far, oldest first, this one included. */
  history?: ReportRun[];
  /** One line each, plain text with commands in backticks; from `planNextSteps`. */
  nextSteps: string[];
}

/** One integrate run, as the history of runs lists it. */
export interface ReportRun {
  runId: string;
  generatedAt: string;
  outcome: IntegrationOutcome;
  /** Every lane came from cache and nothing differed from the report before it. */
  noop: boolean;
  lanesRan: number;
  lanesFromCache: number;
  /** What the run's agents spent; `unknownAttempts` of them reported nothing. */
  spentUsd: number;
  unknownAttempts: number;
  /** The feature's total after the run. */
  totalUsd: number;
}
