import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** The credentials the proxy holds for the upstream: an API key, a bearer token, or both, as the SDK sends them. */
export interface UpstreamCredentials {
  apiKey?: string;
  authToken?: string;
}

/** Hop-by-hop and body-framing headers: each leg of the proxy sets its own. */
const HOP_BY_HOP = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
  // The body is read whole before it is sent on, so there is nothing to continue.
  'expect',
]);

/** Whatever credential an agent sends is dropped: it holds a placeholder, and a real key must not pass through either. */
const CLIENT_CREDENTIALS = new Set(['x-api-key', 'authorization', 'proxy-authorization', 'cookie']);

/**
 * The headers to send upstream for a client's request: the client's own (anthropic-version,
 * anthropic-beta, content-type, the SDK's x-stainless-* ...) without credentials or hop-by-hop
 * headers, plus the proxy's credentials. `accept-encoding: identity` keeps the answer readable
 * by the meter without decompressing it.
 */
export function buildUpstreamHeaders(client: IncomingHttpHeaders, credentials: UpstreamCredentials): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(client)) {
    if (value === undefined || HOP_BY_HOP.has(name) || CLIENT_CREDENTIALS.has(name) || name === 'accept-encoding') continue;
    out[name] = value;
  }
  out['accept-encoding'] = 'identity';
  if (credentials.apiKey) out['x-api-key'] = credentials.apiKey;
  if (credentials.authToken) out.authorization = `Bearer ${credentials.authToken}`;
  return out;
}

/** Every occurrence of each secret in `text`, replaced. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  return out;
}

/**
 * The upstream's response headers as the client gets them: without hop-by-hop headers, and with
 * any header value that quotes a credential redacted (a gateway may echo what it was sent).
 */
export function buildClientHeaders(upstream: IncomingHttpHeaders, secrets: readonly string[]): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name === 'set-cookie') continue;
    out[name] = Array.isArray(value) ? value.map((v) => redactText(v, secrets)) : redactText(value, secrets);
  }
  return out;
}
