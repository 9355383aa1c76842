/**
 * Replay: a loopback Anthropic Messages API for tests, benchmarks, demos and CI.
 * Record a real session once with `startRecordingProxy`, replay it with `startMessagesApiServer`.
 */
export type { FaultKind, FaultRule, ReplayScript, ScriptedBlock, ScriptedResponse, ScriptedSession, SessionMatch } from './script-types';
export {
  startMessagesApiServer,
  type MessagesApiServer,
  type MessagesApiServerOptions,
  type ServerStats,
} from './messages-api-server';
export { loadReplayScript, parseReplayScript } from './load-replay-script';
export { validateReplayScript, validateFaultRules, type ScriptProblem } from './validate-replay-script';
export { startRecordingProxy, type RecordingProxy, type RecordingProxyOptions } from './record-session';
export { buildReplayScript, matchByDistinctiveLine, type MatchBy, type RecordedConversation, type RecordedExchange } from './build-replay-script';
export { planCacheUsage, estimateTokens, type CachePlan, type InputUsage } from './plan-cache-usage';
