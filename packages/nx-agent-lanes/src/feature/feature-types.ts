/**
 * The feature plan as written in feature.jsonc, and as the rest of the plugin sees it once
 * normalised. This folder imports neither Nx nor git: it turns text into a plan.
 */

export type AgentProvider = 'anthropic' | 'claude-code' | 'command';

/** Price of a model per million tokens, in US dollars. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Defaults to 1.25 x input (5-minute cache write). */
  cacheWrite?: number;
  /** Defaults to 2 x input (1-hour cache write, `cache_control.ttl: "1h"`). */
  cacheWrite1h?: number;
  /** Defaults to 0.1 x input. */
  cacheRead?: number;
}

/** `agent` as written (feature level or lane override): every field optional. */
export interface AgentConfigInput {
  provider?: AgentProvider;
  model?: string;
  maxTurns?: number;
  budgetUsd?: number;
  /** Wall-clock limit of one lane's agent, in minutes. */
  timeoutMinutes?: number;
  /** Max output tokens per model request (anthropic provider). */
  maxTokens?: number;
  /** The agent command line (command provider), run by the shell in the lane's worktree. */
  command?: string;
  /** Extra or overriding model prices, keyed by model id. */
  prices?: Record<string, ModelPrice>;
  /** claude-code provider: read the repository's CLAUDE.md files (then a cache input of the lane). Default false. */
  claudeMd?: boolean;
}

/** `agent` after defaults are applied. */
export interface AgentConfig {
  provider: AgentProvider;
  model: string;
  maxTurns: number;
  budgetUsd: number;
  timeoutMinutes: number;
  maxTokens: number;
  command?: string;
  prices: Record<string, ModelPrice>;
  /** claude-code provider: read the repository's CLAUDE.md files. */
  claudeMd: boolean;
}

/** `limits` as written (feature level or lane override): every field optional. */
export interface OutputLimitsInput {
  /** Bytes of agent output (stdout and stderr of a command agent, of setup and tests) kept per lane run. */
  outputBytes?: number;
  /** Bytes of transcript.jsonl kept per lane run. */
  transcriptBytes?: number;
  /** A file the lane adds or changes past this size is named in result.json's patchWarnings and the log; it stays in lane.patch. */
  patchFileWarnBytes?: number;
  /** A file the lane adds or changes past this size is left out of lane.patch, undiffed, and the lane fails. */
  patchFileMaxBytes?: number;
}

/**
 * Caps on what one lane's run records, after defaults. Past a cap the rest is dropped with one
 * marker line saying how much: an agent that floods its output must not fill the disk, the
 * terminal or the Nx cache. They bound the record, not the work, so they stay out of the cache key.
 */
export interface OutputLimits {
  outputBytes: number;
  transcriptBytes: number;
  /**
   * The two patch limits bound what the lane hands on (lane.patch goes into the Nx cache, the
   * lanes branch and the report), not the record; they stay out of the cache key too, since a
   * lane they fail is never cached. Never above patchFileMaxBytes once resolved.
   */
  patchFileWarnBytes: number;
  patchFileMaxBytes: number;
}

/** `auto`: sandboxed where the machine can, one warning where not; `required`: refuse without it; `off`: unsandboxed. */
export type SandboxMode = 'auto' | 'required' | 'off';

/** `sandbox` as written: a mode, or the mode with the hosts the lane's processes may reach. */
export interface SandboxConfigInput {
  mode?: SandboxMode;
  /** Host names (`registry.npmjs.org`, `*.github.com`, optionally `:port`) reachable over HTTPS through the sandbox's proxy. */
  allowHosts?: string[];
}

/** The OS sandbox every process of a lane runs in, after defaults. */
export interface SandboxConfig {
  mode: SandboxMode;
  allowHosts: string[];
}

export interface LaneConfigInput {
  spec: string;
  owns: string[];
  forbids?: string[];
  test: string;
  after?: string[];
  agent?: AgentConfigInput;
  /** Marks every file of this lane as risky in the review, whatever `review.risky` says. */
  risky?: boolean;
  limits?: OutputLimitsInput;
  sandbox?: SandboxMode | SandboxConfigInput;
}

export interface FeatureConfigInput {
  $schema?: string;
  name?: string;
  goal: string;
  contract: string;
  /** Commit-ish every lane starts from; default the workspace's HEAD commit at run time. */
  base?: string;
  agent?: AgentConfigInput;
  setup?: string;
  lanes: Record<string, LaneConfigInput>;
  integration?: { test?: string };
  review?: { risky?: string[] };
  /** Names of environment variables whose values must never be written anywhere. */
  secrets?: string[];
  limits?: OutputLimitsInput;
  sandbox?: SandboxMode | SandboxConfigInput;
  /**
   * The most the whole feature may spend, in US dollars: every lane, every run, counted by the
   * metering proxy. Not a per-lane default (that is `agent.budgetUsd`).
   */
  featureBudgetUsd?: number;
}

export interface Lane {
  name: string;
  /** Workspace-relative path of the lane's spec (markdown). */
  specPath: string;
  /** Workspace-relative paths or globs the lane may change. */
  owns: string[];
  /** Workspace-relative paths or globs the lane must not change. */
  forbids: string[];
  test: string;
  after: string[];
  agent: AgentConfig;
  risky: boolean;
  limits: OutputLimits;
  /** The lane's own `sandbox` fields over the feature's. */
  sandbox: SandboxConfig;
}

export interface Feature {
  /** Project name: the `name` field, else the folder's name. */
  name: string;
  /** Workspace-relative folder holding feature.jsonc. */
  root: string;
  /** Workspace-relative path of feature.jsonc. */
  file: string;
  goal: string;
  /** Workspace-relative path of the contract. */
  contractPath: string;
  base?: string;
  agent: AgentConfig;
  setup?: string;
  /** Lanes in a topological order of `after` (ties keep the file's order). */
  lanes: Lane[];
  integration: { test?: string };
  review: { risky: string[] };
  secrets: string[];
  limits: OutputLimits;
  sandbox: SandboxConfig;
  /** The cap on the feature's total spend across lanes and runs, when the plan sets one. */
  featureBudgetUsd?: number;
}
