import type { LaneStatus, TokenUsage } from '../agents/provider';
import type { ChangedFile } from '../git/patch-files';

/** dist/agent-lanes/<feature>/<lane>/result.json */
export interface LaneResult {
  feature: string;
  lane: string;
  status: LaneStatus;
  /** The blocker's question when status is `blocked`. */
  question?: string;
  /** Why the lane failed or went over budget. */
  reason?: string;
  /** The agent's closing summary. */
  summary?: string;
  provider: string;
  model?: string;
  /** Commit the lane's worktree started from (before upstream lanes' patches). */
  baseCommit: string;
  /** Lanes whose patches were applied first, in order. */
  upstream: string[];
  turns: number;
  tokens: TokenUsage;
  costUsd: number;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  filesChanged: ChangedFile[];
  /** Agent runs in this task: more than one when blockers were answered in place. */
  agentRuns: number;
  /** How this run started: fresh, resumed from a blocked transcript, or fixing a previous patch after feedback. */
  startedFrom: 'fresh' | 'resumed-transcript' | 'previous-patch';
}
