import type { LaneMeter } from './check-lane-limits';
import type { ProxyListen } from './listen-for-proxy';
import type { MeteredModelPrice } from './price-api-usage';

export interface MeteredLane {
  budgetUsd: number;
  /** Model turns (`POST /v1/messages` answered 2xx) the lane may use. */
  maxTurns: number;
  /** The lane's own model: it prices an answer from a model the table does not know. */
  model: string;
  /** An AgentConfig's table (defaults merged with the plan's `agent.prices`). */
  prices: Record<string, MeteredModelPrice>;
  /** What earlier runs of this lane already used (a resumed lane), counted against its limits. */
  spent?: { turns?: number; costUsd?: number };
}

export interface MeteringProxyOptions {
  /** Base URL to forward to: the user's `ANTHROPIC_BASE_URL`, default the API. A path on it is kept. */
  upstream?: string;
  /** Sent upstream as `x-api-key` (ANTHROPIC_API_KEY). */
  apiKey?: string;
  /** Sent upstream as `Authorization: Bearer` (ANTHROPIC_AUTH_TOKEN). */
  authToken?: string;
  lanes: Record<string, MeteredLane>;
  /** A cap on the whole feature's spend across its lanes, on top of each lane's own. */
  featureBudgetUsd?: number;
  /** What earlier runs of the feature already spent, counted against `featureBudgetUsd`. */
  featureSpentUsd?: number;
  /**
   * What the feature spent beyond this proxy, by lane, read again before each request: other lanes'
   * runs (finished, or running now in another process) and this lane's earlier runs.
   */
  featureSpentElsewhere?: () => Record<string, number>;
  /** Default `{ port: 0 }` on 127.0.0.1; `{ socketPath }` for a sandbox that bridges a Unix socket in. */
  listen?: ProxyListen;
  /**
   * Requests of one lane upstream at once (default 1; later ones wait). A lane's budget can be
   * overshot by at most this many requests, and the feature's by one such set per lane.
   */
  concurrentRequestsPerLane?: number;
  /** How long an answer whose client went away is read on to learn its usage; default 60 s. */
  drainTimeoutMs?: number;
  /** An upstream socket silent this long is given up; default 15 minutes. */
  idleTimeoutMs?: number;
  /** One line per request and per stop. Lines name lanes, never tokens or credentials. */
  log?: (line: string) => void;
}

export interface FeatureMeter {
  /** `featureSpentUsd` plus every lane's spend through this proxy. */
  costUsd: number;
  byLane: Record<string, number>;
}

export interface MeteringProxy {
  /** `http://127.0.0.1:<port>` when listening on TCP. */
  origin?: string;
  socketPath?: string;
  /** The lane's base URL for the SDK's `baseURL` or `ANTHROPIC_BASE_URL`. `origin` is required on a socket (the sandbox's bridge address). */
  urlFor(lane: string, origin?: string): string;
  /** The lane's base path, `/lane/<token>`, for a caller that builds the URL itself. */
  pathFor(lane: string): string;
  meter(lane: string): LaneMeter;
  featureMeter(): FeatureMeter;
  /** Serves one more lane (a lane task started after the proxy). */
  addLane(lane: string, config: MeteredLane): void;
  /** Ends open requests and streams (their usage so far is metered) and stops listening. */
  close(): Promise<void>;
}
