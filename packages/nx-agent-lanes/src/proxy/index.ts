/**
 * The metering proxy: one loopback HTTP proxy per run (or lane task) that holds the API key,
 * forwards each lane's Messages API calls upstream, meters their usage and stops a lane at its
 * budget or turn limit. Agents see only their lane's base URL and a placeholder key.
 */
export { startMeteringProxy } from './start-metering-proxy';
export type { FeatureMeter, MeteredLane, MeteringProxy, MeteringProxyOptions } from './proxy-types';
export type { LaneMeter, LaneStop, LaneStopReason } from './check-lane-limits';
export type { MeteredModelPrice, MeteredUsage } from './price-api-usage';
export type { ProxyListen } from './listen-for-proxy';
export { readUpstreamFromEnv, DEFAULT_UPSTREAM } from './read-upstream-env';
export { buildLaneEnv, CREDENTIAL_ENV, PLACEHOLDER_API_KEY } from './build-lane-env';
export { LANE_STOP_STATUS, STOP_HEADER } from './send-proxy-error';
