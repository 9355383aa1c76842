/**
 * The replay script: scripted assistant turns that a loopback Messages API server answers with,
 * so the real `@anthropic-ai/sdk` can run against it in tests, benchmarks, demos and CI.
 * A script is plain JSON (see `loadReplayScript`); record one from a real session with
 * `startRecordingProxy`.
 */

/**
 * One content block of a scripted assistant turn. A `thinking` block is what the 5.x models return
 * for their reasoning and for the text between tool calls; its `signature` (generated when left
 * out, see signThinking) binds it to the model and the session, and the server refuses a request
 * that sends it back changed, as the API does.
 */
export type ScriptedBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature?: string }
  | { type: 'tool_use'; id?: string; name: string; input: unknown };

export type ScriptedStopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'pause_turn' | 'refusal' | 'stop_sequence';

/** One assistant turn. */
export interface ScriptedResponse {
  content: ScriptedBlock[];
  /** Default: `tool_use` when any block is a tool_use, else `end_turn`. */
  stop_reason?: ScriptedStopReason;
  /** Overrides the estimated output tokens (ceil(chars / 4) of the content). */
  usage?: { output_tokens?: number };
  /** Delay before answering this turn, in milliseconds; overrides the server's default. */
  latencyMs?: number;
}

/** Which requests a session answers: every `contains` string present, no `notContains` string present. */
export interface SessionMatch {
  contains?: string | string[];
  notContains?: string | string[];
}

/**
 * One scripted conversation. A request belongs to the first session whose `match` holds for its
 * system prompt and message text; the turn answered is the number of assistant messages already
 * in the request, so replay is stateless (parallel lanes and SDK retries need no bookkeeping).
 */
export interface ScriptedSession {
  name: string;
  match: SessionMatch;
  turns: ScriptedResponse[];
}

export interface ReplayScript {
  sessions: ScriptedSession[];
}

/**
 * - `rate-limit`: 429 `rate_limit_error` with a `retry-after` header (seconds).
 * - `overloaded`: 529 `overloaded_error`.
 * - `server-error`: 500 `api_error`.
 * - `reset`: the socket is destroyed before any answer.
 * - `mid-stream-error`: (streaming requests only) `message_start`, then `afterEvents` events, then an
 *   SSE `error` event, then the end of the response. The SDK does not retry this.
 * - `stall`: a streaming request gets its headers and `message_start`, then silence; a non-streaming
 *   request gets nothing. Only the client giving up (or `close()`) ends it.
 */
export type FaultKind = 'rate-limit' | 'overloaded' | 'server-error' | 'reset' | 'mid-stream-error' | 'stall';

/** A fault injected instead of the scripted answer, for requests of `session`/`turn` (any when omitted). */
export interface FaultRule {
  kind: FaultKind;
  /** Name of the session whose requests it hits. */
  session?: string;
  /** 0-based turn index it hits. */
  turn?: number;
  /** How many matching requests it hits before it stops; default 1. */
  times?: number;
  /** `rate-limit` only: the `retry-after` header in seconds (fractions allowed); default 1. */
  retryAfterSeconds?: number;
  /** `mid-stream-error` only: stream events (pings not counted) sent after `message_start` before the error; default 0. */
  afterEvents?: number;
}
