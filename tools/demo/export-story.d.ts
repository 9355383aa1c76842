/** Types of export-story.js (CommonJS), for e2e/*.e2e.spec.ts. */
import type { NxRun, StoryWorkspace } from './story-workspace';

export interface ReplayStats {
  requests: number;
  bySession: Record<string, number>;
  unmatched: number;
  usage: { input_tokens: number; output_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number };
}

export interface ReplayServer {
  url: string;
  stats(): ReplayStats;
  close(): Promise<void>;
}

export interface Story {
  ws: StoryWorkspace;
  server?: ReplayServer;
  agentEnv: NodeJS.ProcessEnv;
  /** The plan's agent provider; default anthropic (the example's). */
  provider?: 'anthropic' | 'claude-code';
}

/** What one step's nx command did; steps add their own facts (results, integration, commits...). */
export interface Observation extends NxRun {
  command: string;
  /** Model requests per replay session during the command. */
  requests: Record<string, number>;
  /** Tasks (target names) Nx served from its cache. */
  cached: string[];
  [fact: string]: any;
}

export interface StoryStep {
  id: 'template-tests' | 'plan' | 'launch' | 'answer' | 'resume' | 'feedback' | 'fix' | 'rerun';
  title: string;
  says: string | ((story: Story) => string);
  quiet?: boolean;
  run(story: Story): Promise<Observation>;
  /** Every way the observation differs from the story; empty when it went as told. */
  check(observation: Observation): string[];
  summarize(observation: Observation): string;
}

export declare const FEATURE: string;
export declare const LANES: string[];
export declare const ANSWER: string;
export declare const FEEDBACK: string;
export declare const REPLAY_FILE: string;
export declare const PLAN_FILE: string;
export declare const PROVIDERS: Record<'anthropic' | 'claude-code', { label: string; devDependencies: Record<string, string> }>;
export declare function setPlanProvider(ws: StoryWorkspace, provider: 'anthropic' | 'claude-code'): void;
export declare const STEPS: StoryStep[];

export declare function startReplayBackend(options?: {
  builtPackage?: string;
  scriptFile?: string;
  /** A replay script object, instead of the file. */
  script?: unknown;
  log?: (line: string) => void;
}): Promise<{
  server: ReplayServer;
  env: { ANTHROPIC_BASE_URL: string; ANTHROPIC_API_KEY: string };
}>;
export declare function prepareStory(story: Story): Promise<Observation>;
export declare function runNx(story: Story, args: string[]): Promise<Observation>;
export declare function findCachedTasks(output: string): string[];
export declare function stripAnsi(text: string): string;
export declare function measureOverlap(intervals: Array<{ startedAt: string; endedAt: string }>): number;
export declare function computeCacheShare(usage: ReplayStats['usage']): number;
/** The replay server's served usage priced by the built package (its default model unless `model`). */
export declare function priceServedUsage(usage: ReplayStats['usage'], options?: { builtPackage?: string; model?: string }): number;
export declare function readIntegration(ws: StoryWorkspace): { report: any; markdown: string; html: string } | undefined;
export declare function readLaneResult(ws: StoryWorkspace, lane: string): any;
