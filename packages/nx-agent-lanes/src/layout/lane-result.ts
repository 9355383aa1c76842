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
  /**
   * Where turns, tokens and cost come from: `proxy`, the plugin's metering proxy, which saw every
   * Messages API request of the lane; `agent`, the agent's own report (an agent that reached no
   * Messages API through the proxy, such as another vendor's CLI); `none` when neither knows.
   */
  usageSource?: 'proxy' | 'agent' | 'none';
  /** The agent's own figures when they differ from the proxy's: a cross-check, not the record. */
  agentReported?: { turns: number; costUsd: number };
  /** Whether the agent ran in the OS sandbox. */
  sandboxed?: boolean;
  /** Output lines of the agent (and its run_tests) that show the sandbox refusing a write or a connection. */
  sandboxRefusals?: string[];
  /**
   * Set when the run got an answer in place and finished: the digest of its inputs with that
   * answer, so the next run (keyed with the answer, a cache miss) reuses this result unpaid.
   */
  answeredInPlace?: { inputs: string };
  /** Tool calls the agent's harness refused: an unowned path (claude-code), Claude Code's permission_denials (command). */
  permissionDenials?: string[];
  /** Files in lane.patch larger than limits.patchFileWarnBytes: kept, and named for a second look. */
  patchWarnings?: PatchFileSize[];
  /** Files larger than limits.patchFileMaxBytes: left out of lane.patch undiffed, which failed the lane. */
  patchRefusals?: PatchFileSize[];
  startedAt: string;
  endedAt: string;
  durationMs: number;
  filesChanged: ChangedFile[];
  /** Agent runs in this task: more than one when blockers were answered in place. */
  agentRuns: number;
  /** How this run started: fresh, resumed from a blocked transcript, or fixing a previous patch after feedback. */
  startedFrom: 'fresh' | 'resumed-transcript' | 'previous-patch';
  /**
   * Every attempt of this lane so far, this run's last, each with its own figures (not summed
   * with earlier ones, even when a resumed conversation's top-level figures are). Kept in
   * result.json so a cache hit or another machine carries the lane's whole history.
   */
  attempts?: LaneAttempt[];
}

/** How one attempt ended: a lane status, or `killed` for a run that died before writing result.json. */
export type LaneAttemptOutcome = LaneStatus | 'killed';

/** One run of a lane's agent task: first run, after an answer, after feedback, killed, over budget. */
export interface LaneAttempt {
  outcome: LaneAttemptOutcome;
  startedFrom: LaneResult['startedFrom'];
  startedAt: string;
  endedAt: string;
  durationMs: number;
  turns: number;
  tokens: TokenUsage;
  costUsd: number;
  /** As LaneResult's; `none` means the figures are unknown, not zero. */
  usageSource: 'proxy' | 'agent' | 'none';
  /** Agent runs inside the attempt (blockers answered in place). */
  agentRuns?: number;
  /** The rescued transcript (rescued/<file>) a killed attempt was read from. */
  rescued?: string;
}

/** A file of the lane's change and its size in the lane's worktree, in bytes. */
export interface PatchFileSize {
  path: string;
  bytes: number;
}
