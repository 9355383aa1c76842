import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { assembleStreamedMessage, parseSseText } from './assemble-streamed-message';
import { buildApiError } from './build-message';
import { buildReplayScript, toScriptedResponse, type MatchBy, type RecordedExchange } from './build-replay-script';
import type { ReplayScript, ScriptedSession } from './script-types';
import { collectRequestText, matchesSession, type MessagesRequest } from './select-scripted-turn';
import { listenOnLoopback } from './listen-on-loopback';

export interface RecordingProxyOptions {
  /** Base URL requests are forwarded to: `https://api.anthropic.com`, or another (replay) server. */
  upstream: string;
  /**
   * Key sent upstream instead of the client's, so clients can run with a dummy key. Without
   * it the client's own `x-api-key` / `authorization` is forwarded. Either way no key is recorded.
   */
  apiKey?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Called after each recorded exchange with the session it now belongs to (e.g. to save the script as it grows). */
  onSession?: (session: ScriptedSession) => void;
  log?: (line: string) => void;
}

export interface RecordingProxy {
  /** Base URL to give the SDK (`baseURL` / `ANTHROPIC_BASE_URL`). */
  url: string;
  port: number;
  /** What was recorded so far, in order. */
  exchanges(): RecordedExchange[];
  /** The recorded conversations as a replay script (see `buildReplayScript`). */
  toReplayScript(matchBy?: MatchBy): ReplayScript;
  close(): Promise<void>;
}

const REDACTED = '[redacted]';
/** Hop-by-hop and body-framing headers, which each leg of the proxy sets for itself. */
const NOT_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'accept-encoding']);

/** Every credential a request carries, to scrub from anything recorded. */
function secretsOf(headers: IncomingHttpHeaders, apiKey: string | undefined): string[] {
  const bearer = headers.authorization?.replace(/^Bearer\s+/i, '');
  const key = headers['x-api-key'];
  return [apiKey, bearer, headers.authorization, ...(Array.isArray(key) ? key : [key])].filter(
    (s): s is string => typeof s === 'string' && s.length >= 4,
  );
}

/** Deep copy of `value` with every occurrence of each secret replaced (a prompt may quote its own key). */
function scrub<T>(value: T, secrets: string[]): T {
  let json = JSON.stringify(value);
  for (const secret of secrets) json = json.split(JSON.stringify(secret).slice(1, -1)).join(REDACTED);
  return JSON.parse(json) as T;
}

function forwardHeaders(headers: IncomingHttpHeaders, apiKey: string | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !NOT_FORWARDED.has(name)) out[name] = value;
  }
  if (apiKey) {
    delete out.authorization;
    out['x-api-key'] = apiKey;
  }
  return out;
}

/**
 * Starts a proxy that forwards Messages API calls to `upstream` unchanged (streams included,
 * chunk by chunk) and records each successful `POST /v1/messages` as a request/answer pair.
 * Record a real session once, then replay it in CI with `startMessagesApiServer`.
 */
export async function startRecordingProxy(options: RecordingProxyOptions): Promise<RecordingProxy> {
  const { upstream, apiKey, log } = options;
  const base = new URL(upstream);
  const recorded: RecordedExchange[] = [];
  const upstreamRequests = new Set<{ destroy(): void }>();

  function record(request: MessagesRequest, contentType: string, body: string, secrets: string[]): void {
    const message = contentType.startsWith('text/event-stream')
      ? assembleStreamedMessage(parseSseText(body))
      : (JSON.parse(body) as { content: unknown; stop_reason?: unknown; usage?: unknown });
    if (!message) return log?.('stream broke off; not recorded');
    const exchange = scrub({ request, response: toScriptedResponse(message) }, secrets);
    recorded.push(exchange);
    if (options.onSession) {
      const script = buildReplayScript({ exchanges: recorded });
      const text = collectRequestText(exchange.request);
      const session = script.sessions.find((s) => matchesSession(s.match, text));
      if (session) options.onSession(session);
    }
  }

  function forward(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const target = new URL(base.pathname.replace(/\/$/, '') + (req.url ?? '/'), base);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const secrets = secretsOf(req.headers, apiKey);
    const upstreamReq = send(target, { method: req.method, headers: forwardHeaders(req.headers, apiKey) }, (upstreamRes) => {
      const headers = { ...upstreamRes.headers };
      for (const name of NOT_FORWARDED) delete headers[name];
      res.writeHead(upstreamRes.statusCode ?? 502, headers);
      const chunks: Buffer[] = [];
      upstreamRes.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        res.write(chunk);
      });
      upstreamRes.on('end', () => {
        res.end();
        upstreamRequests.delete(upstreamReq);
        const path = target.pathname.replace(base.pathname.replace(/\/$/, ''), '');
        log?.(`${req.method} ${path} ${upstreamRes.statusCode}`);
        if (req.method !== 'POST' || path !== '/v1/messages' || upstreamRes.statusCode !== 200) return;
        try {
          const request = JSON.parse(body.toString('utf8')) as MessagesRequest;
          record(request, String(upstreamRes.headers['content-type'] ?? ''), Buffer.concat(chunks).toString('utf8'), secrets);
        } catch (error) {
          log?.(`not recorded: ${(error as Error).message}`);
        }
      });
      upstreamRes.on('error', () => res.destroy());
    });
    upstreamRequests.add(upstreamReq);
    upstreamReq.on('error', (error) => {
      upstreamRequests.delete(upstreamReq);
      log?.(`${req.method} ${req.url} upstream failed: ${error.message}`);
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify(buildApiError('api_error', `Recording proxy: upstream ${base.origin} failed: ${error.message}`)));
      } else {
        res.destroy();
      }
    });
    // A client that gives up (abort, timeout) should not leave the upstream call running.
    res.on('close', () => {
      if (!res.writableFinished) upstreamReq.destroy();
    });
    upstreamReq.end(body);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => forward(req, res, Buffer.concat(chunks)));
  });
  const { port, url } = await listenOnLoopback(server, options);
  return {
    url,
    port,
    exchanges: () => structuredClone(recorded),
    toReplayScript: (matchBy?: MatchBy) => buildReplayScript({ exchanges: recorded, matchBy }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const upstreamReq of upstreamRequests) upstreamReq.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
