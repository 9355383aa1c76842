import { randomBytes } from 'node:crypto';
import { createServer, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { LanesError } from '../errors';
import { accountForAnswer, createEmptyMeter } from './account-for-answer';
import { checkLaneLimits, formatUsd, type LaneMeter } from './check-lane-limits';
import { createLaneGate, type LaneGate } from './create-lane-gate';
import { forwardMeteredRequest } from './forward-metered-request';
import { listenForProxy } from './listen-for-proxy';
import type { FeatureMeter, MeteredLane, MeteringProxy, MeteringProxyOptions } from './proxy-types';
import { MAX_REQUEST_BYTES, readRequestBody } from './read-request-body';
import { LANE_PATH_PREFIX, routeProxyRequest } from './route-proxy-request';
import { LANE_STOP_STATUS, sendProxyError } from './send-proxy-error';
import { validateProxyOptions } from './validate-proxy-options';

interface LaneState {
  name: string;
  token: string;
  config: MeteredLane;
  meter: LaneMeter;
  gate: LaneGate;
}

const DEFAULT_DRAIN_TIMEOUT_MS = 60_000;
/** Past the SDK's own 10-minute request timeout, so a client that waits for a long answer gives up first. */
const DEFAULT_IDLE_TIMEOUT_MS = 15 * 60_000;

/**
 * Starts a loopback proxy that holds the API credentials for one run and meters and limits every
 * lane's Messages API traffic. Agents get `urlFor(lane)` and a placeholder key; whatever key they
 * send is dropped. Each lane is addressed by a random token, so one lane cannot spend another's budget.
 */
export async function startMeteringProxy(options: MeteringProxyOptions): Promise<MeteringProxy> {
  const upstream = validateProxyOptions(options);
  const { log = () => undefined } = options;
  const credentials = { apiKey: options.apiKey, authToken: options.authToken };
  const secrets = [options.apiKey, options.authToken].filter((s): s is string => Boolean(s));
  const concurrency = options.concurrentRequestsPerLane ?? 1;
  const byName = new Map<string, LaneState>();
  const byToken = new Map<string, LaneState>();
  const upstreamCalls = new Set<ClientRequest>();

  function addLane(name: string, config: MeteredLane): void {
    validateProxyOptions({ ...options, lanes: { [name]: config } });
    if (byName.has(name)) throw new LanesError(`Lane ${name} is already served by this metering proxy.`);
    const state: LaneState = { name, token: randomBytes(18).toString('base64url'), config, meter: createEmptyMeter(), gate: createLaneGate(concurrency) };
    byName.set(name, state);
    byToken.set(state.token, state);
  }
  for (const [name, config] of Object.entries(options.lanes)) addLane(name, config);

  function featureMeter(): FeatureMeter {
    const byLane: Record<string, number> = { ...options.featureSpentElsewhere?.() };
    for (const lane of byName.values()) byLane[lane.name] = (byLane[lane.name] ?? 0) + lane.meter.costUsd;
    const costUsd = (options.featureSpentUsd ?? 0) + Object.values(byLane).reduce((sum, usd) => sum + usd, 0);
    return { costUsd, byLane };
  }

  function findStop(lane: LaneState) {
    const { config } = lane;
    return checkLaneLimits({
      lane: lane.name,
      budgetUsd: config.budgetUsd,
      maxTurns: config.maxTurns,
      meter: lane.meter,
      spent: { turns: config.spent?.turns ?? 0, costUsd: config.spent?.costUsd ?? 0 },
      inFlight: lane.gate.active() - 1,
      feature: options.featureBudgetUsd === undefined ? undefined : { budgetUsd: options.featureBudgetUsd, ...featureMeter() },
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const route = routeProxyRequest(req.method, req.url);
    const lane = route.kind === 'no-lane' ? undefined : byToken.get(route.token);
    if (!lane || route.kind === 'no-lane') {
      req.resume();
      log(`refused ${req.method}: no lane at this address`);
      return sendProxyError(res, {
        status: 404,
        type: 'not_found_error',
        message: 'nx-agent-lanes: no lane is served at this address; use the ANTHROPIC_BASE_URL the lane was given.',
      });
    }
    if (route.kind === 'probe') {
      req.resume();
      res.writeHead(200, { 'content-length': '0' }).end();
      return;
    }
    if (route.kind === 'refused') {
      req.resume();
      log(`lane ${lane.name}: refused ${route.what}`);
      return sendProxyError(res, {
        status: 404,
        type: 'not_found_error',
        message: `nx-agent-lanes: the proxy forwards only POST /v1/messages and POST /v1/messages/count_tokens, not ${route.what}.`,
      });
    }
    const body = await readRequestBody(req);
    if (!body) {
      if (signal.aborted) return;
      return sendProxyError(res, {
        status: 413,
        type: 'request_too_large',
        message: `nx-agent-lanes: a request to the Messages API may be at most ${MAX_REQUEST_BYTES / 1024 / 1024} MB.`,
      });
    }
    const release = await lane.gate.acquire(signal);
    if (!release) return;
    try {
      const stop = findStop(lane);
      if (stop) {
        lane.meter = { ...lane.meter, refused: lane.meter.refused + 1, stopped: lane.meter.stopped ?? stop };
        log(`lane ${lane.name}: stopped: ${stop.message}`);
        return sendProxyError(res, { status: LANE_STOP_STATUS, type: 'invalid_request_error', message: stop.message, stop: stop.reason });
      }
      const outcome = await forwardMeteredRequest({
        req,
        body,
        res,
        target: new URL(upstream.pathname.replace(/\/$/, '') + route.path, upstream),
        credentials,
        secrets,
        metered: route.messages,
        drainTimeoutMs: options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS,
        idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
        track(call) {
          upstreamCalls.add(call);
          return () => upstreamCalls.delete(call);
        },
      });
      const account = accountForAnswer({ meter: lane.meter, outcome, messages: route.messages, laneModel: lane.config.model, prices: lane.config.prices });
      lane.meter = account.meter;
      if (account.newlyUnpriced) {
        log(`lane ${lane.name}: model ${account.newlyUnpriced.model} has no price; priced as ${account.newlyUnpriced.pricedAs}`);
      }
      const u = outcome.usage;
      const figures = u ? ` in=${u.input} out=${u.output} cache_read=${u.cacheRead} cache_write=${u.cacheWrite} ${formatUsd(account.costUsd)}` : '';
      const notes = [outcome.estimated && 'estimated', outcome.clientGone && 'client gone', outcome.failure].filter(Boolean).join(', ');
      log(
        `lane ${lane.name}: POST ${route.path.replace(/\?.*/, '')} ${outcome.status ?? 'no answer'}${figures}` +
          ` (lane ${formatUsd(lane.meter.costUsd)} of ${formatUsd(lane.config.budgetUsd)}, turn ${lane.meter.turns}/${lane.config.maxTurns})` +
          (notes ? ` [${notes}]` : ''),
      );
    } finally {
      release();
    }
  }

  const handling = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    const done = handle(req, res, controller.signal)
      .catch((error: unknown) => {
        log(`proxy error: ${(error as Error).message}`);
        sendProxyError(res, { status: 500, type: 'api_error', message: 'nx-agent-lanes: the proxy failed on this request.', retryable: true });
      })
      .finally(() => handling.delete(done));
    handling.add(done);
  });
  const address = await listenForProxy(server, options.listen ?? { port: 0 }, upstream);

  const laneState = (name: string): LaneState => {
    const lane = byName.get(name);
    if (!lane) throw new LanesError(`Lane ${name} is not served by this metering proxy (it serves: ${[...byName.keys()].join(', ') || 'no lane'}).`);
    return lane;
  };
  return {
    ...address,
    pathFor: (name) => `${LANE_PATH_PREFIX}${laneState(name).token}`,
    urlFor(name, origin = address.origin) {
      if (!origin) throw new LanesError('The metering proxy listens on a Unix socket: urlFor needs the origin the socket is reached at (the sandbox bridge).');
      return `${origin.replace(/\/$/, '')}${LANE_PATH_PREFIX}${laneState(name).token}`;
    },
    meter: (name) => structuredClone(laneState(name).meter),
    featureMeter,
    addLane,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const call of upstreamCalls) call.destroy();
      // Keep-alive sockets and open streams would hold server.close() open forever.
      server.closeAllConnections();
      // Each cut request is metered as it ends; the meter is final once they all have.
      await Promise.all([closed, ...handling]);
      await address.cleanup();
    },
  };
}

