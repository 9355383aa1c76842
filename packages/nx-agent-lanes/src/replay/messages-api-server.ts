import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { LanesError } from '../errors';
import { buildApiError, buildMessage, type ApiErrorType } from './build-message';
import { createFaultSchedule } from './fault-schedule';
import { injectFault } from './inject-fault';
import { planCacheUsage } from './plan-cache-usage';
import { planStreamEvents } from './plan-stream-events';
import type { FaultRule, ReplayScript } from './script-types';
import { readMessagesRequest } from './read-messages-request';
import { selectScriptedTurn } from './select-scripted-turn';
import { findAlteredThinking } from './sign-thinking';
import { validateFaultRules, validateReplayScript, type ScriptProblem } from './validate-replay-script';
import { sendApiError, sendJson, startEventStream, writeEvents } from './write-api-response';
import { listenOnLoopback } from './listen-on-loopback';

export { loadReplayScript } from './load-replay-script';

export interface MessagesApiServerOptions {
  script: ReplayScript;
  faults?: FaultRule[];
  /** Default 0: any free port (read it from `port` / `url`). */
  port?: number;
  /** Default 127.0.0.1: loopback only. */
  host?: string;
  /** Delay before each answer unless its turn sets `latencyMs`; default 0. */
  latencyMs?: number;
  /** Smallest prefix, in tokens, that prompt caching stores (the API's minimum is 1,024 to 4,096 by model); default 1024. */
  minCacheableTokens?: number;
  /** Receives one line per request. */
  log?: (line: string) => void;
}

export interface ServerStats {
  /** Every HTTP request received, answered or not. */
  requests: number;
  /** Requests of `POST /v1/messages` that matched each session, faulted ones included. */
  bySession: Record<string, number>;
  faultsInjected: number;
  /** Requests no session (or no turn of the matched session) could answer. */
  unmatched: number;
  /** Summed usage of the answers actually served. */
  usage: { input_tokens: number; output_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number };
}

export interface MessagesApiServer {
  /** Base URL for the SDK's `baseURL` or `ANTHROPIC_BASE_URL`, e.g. `http://127.0.0.1:43210`. */
  url: string;
  port: number;
  stats(): ServerStats;
  /** Forgets stats and cached prefixes and re-arms every fault rule. */
  reset(): void;
  /** Ends every open connection (stalled streams included) and stops listening. */
  close(): Promise<void>;
}

function emptyStats(): ServerStats {
  return {
    requests: 0,
    bySession: {},
    faultsInjected: 0,
    unmatched: 0,
    usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
}

function describeProblems(what: string, problems: ScriptProblem[]): string {
  return `${what}:\n` + problems.map((p) => `  ${p.path.join('.') || '(root)'}: ${p.message}`).join('\n');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Resolves true after `ms`, or false as soon as `signal` aborts (client gone, server closing). */
function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Starts a loopback server that speaks the Anthropic Messages API from a replay script, so the
 * real SDK (pointed at `url`) runs agent loops without network, keys or cost, and with injected
 * faults (rate limits, overload, resets, broken or stalled streams) on demand.
 */
export async function startMessagesApiServer(options: MessagesApiServerOptions): Promise<MessagesApiServer> {
  const { script, log } = options;
  const scriptProblems = validateReplayScript(script);
  if (scriptProblems.length) throw new LanesError(describeProblems('The replay script is not usable', scriptProblems));
  const faultProblems = validateFaultRules(options.faults ?? []);
  if (faultProblems.length) throw new LanesError(describeProblems('The fault rules are not usable', faultProblems));

  const minCacheableTokens = options.minCacheableTokens ?? 1024;
  const faults = createFaultSchedule(options.faults ?? []);
  const known = new Map<string, number>();
  const inFlight = new Set<AbortController>();
  let stats = emptyStats();
  let requestCount = 0;

  const fail = (res: ServerResponse, requestId: string, status: number, type: ApiErrorType, message: string) =>
    sendApiError(res, { status, type, message, requestId });

  async function handle(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
    stats.requests++;
    const requestId = `req_replay_${++requestCount}`;
    const path = new URL(req.url ?? '/', 'http://replay').pathname;
    const text = await readBody(req);
    const note = (line: string) => log?.(`${req.method} ${path} ${line}`);
    if (!req.headers['x-api-key'] && !req.headers.authorization) {
      note('401 no api key');
      return fail(res, requestId, 401, 'authentication_error', 'x-api-key or authorization header is required');
    }
    const route = req.method === 'POST' && (path === '/v1/messages' || path === '/v1/messages/count_tokens');
    if (!route) {
      note('404');
      return fail(res, requestId, 404, 'not_found_error', `Not found: ${req.method} ${path}`);
    }
    const read = readMessagesRequest({ body: text, requireMaxTokens: path === '/v1/messages' });
    if ('error' in read) return fail(res, requestId, 400, 'invalid_request_error', read.error);
    const { request } = read;

    const cache = planCacheUsage({ request, known, minCacheableTokens });
    if (cache.error) return fail(res, requestId, 400, 'invalid_request_error', cache.error);
    if (path === '/v1/messages/count_tokens') {
      note(`count_tokens ${cache.totalTokens}`);
      return sendJson(res, 200, { input_tokens: cache.totalTokens }, { 'request-id': requestId });
    }

    const stream = request.stream === true;
    const selection = selectScriptedTurn({ script, request });
    if (selection.kind === 'unmatched') {
      stats.unmatched++;
      note(`400 unmatched: ${selection.message}`);
      return fail(res, requestId, 400, 'invalid_request_error', selection.message);
    }
    const { session, turnIndex, turn } = selection;
    stats.bySession[session.name] = (stats.bySession[session.name] ?? 0) + 1;
    const altered = findAlteredThinking({ messages: request.messages, model: request.model as string, session });
    if (altered) {
      note(`400 session=${session.name} turn=${turnIndex}: ${altered}`);
      return fail(res, requestId, 400, 'invalid_request_error', altered);
    }
    const message = buildMessage({
      sessionName: session.name,
      turnIndex,
      turn,
      model: request.model as string,
      inputUsage: cache.usage,
    });
    const events = stream ? planStreamEvents(message) : [];
    const where = `session=${session.name} turn=${turnIndex}${stream ? ' stream' : ''}`;

    const fault = faults.take({ session: session.name, turnIndex, stream });
    if (fault) {
      stats.faultsInjected++;
      note(`${where} fault=${fault.kind}`);
      return injectFault({ fault, req, res, requestId, stream, events });
    }

    if (!(await wait(turn.latencyMs ?? options.latencyMs ?? 0, signal))) {
      note(`${where} abandoned during latency`);
      return;
    }
    for (const [key, tokens] of cache.writes) known.set(key, tokens);
    for (const key of Object.keys(stats.usage) as Array<keyof ServerStats['usage']>) {
      stats.usage[key] += message.usage[key] ?? 0;
    }
    note(`${where} 200`);
    if (!stream) return sendJson(res, 200, message, { 'request-id': requestId });
    startEventStream(res, requestId);
    writeEvents(res, events);
    res.end();
  }

  const server = createServer((req, res) => {
    const controller = new AbortController();
    inFlight.add(controller);
    res.on('close', () => {
      controller.abort();
      inFlight.delete(controller);
    });
    handle(req, res, controller.signal).catch((error: unknown) => {
      log?.(`${req.method} ${req.url} 500 ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, buildApiError('api_error', `Replay server error: ${(error as Error).message}`));
      else res.destroy();
    });
  });
  const { port, url } = await listenOnLoopback(server, options);
  return {
    url,
    port,
    stats: () => structuredClone(stats),
    reset() {
      stats = emptyStats();
      known.clear();
      faults.reset();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const controller of inFlight) controller.abort();
        server.close(() => resolve());
        // Keep-alive sockets and stalled streams would hold server.close() open forever.
        server.closeAllConnections();
      }),
  };
}
