/**
 * The review report's model: everything one integrate run learned, in the shape both
 * renderers (markdown for a pull-request body, self-contained HTML) read. Built by the
 * integrate executor; rendered by pure functions in this folder.
 */
import type { LaneStatus, TokenUsage } from '../agents/provider';
import type { ChangedFile } from '../git/patch-files';

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
  turns: number;
  tokens: TokenUsage;
  costUsd: number;
  /** ISO times of the lane's agent run. */
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
  totals: { costUsd: number; tokens: TokenUsage; turns: number };
  /** One line each, plain text with commands in backticks; from `planNextSteps`. */
  nextSteps: string[];
}
