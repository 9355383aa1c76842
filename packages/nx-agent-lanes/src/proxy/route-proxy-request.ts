/** Each lane's base URL is `<origin>/lane/<token>`: the token, not the lane's name, says whose budget pays. */
export const LANE_PATH_PREFIX = '/lane/';

export type ProxyRoute =
  /** Forward upstream to `path` (query kept, e.g. Claude Code's `?beta=true`). */
  | { kind: 'forward'; token: string; path: string; messages: boolean }
  /** A `HEAD` or `GET` of the lane's base URL: Claude Code 2.1 sends `HEAD <base>` before its first request. */
  | { kind: 'probe'; token: string }
  /** A lane address, but nothing the proxy forwards. `what` is method and path, token left out. */
  | { kind: 'refused'; token: string; what: string }
  /** No lane address at all. */
  | { kind: 'no-lane' };

const FORWARDED: Record<string, boolean> = { '/v1/messages': true, '/v1/messages/count_tokens': false };

/**
 * Which lane a request is for and what to do with it. Pure. Repeated slashes are folded, since a
 * client that joins `<base>/` and `/v1/messages` sends `//v1/messages`.
 */
export function routeProxyRequest(method: string | undefined, rawUrl: string | undefined): ProxyRoute {
  let url: URL;
  try {
    url = new URL(rawUrl ?? '/', 'http://proxy.invalid');
  } catch {
    return { kind: 'no-lane' };
  }
  const pathname = url.pathname.replace(/\/{2,}/g, '/');
  if (!pathname.startsWith(LANE_PATH_PREFIX)) return { kind: 'no-lane' };
  const rest = pathname.slice(LANE_PATH_PREFIX.length);
  const slash = rest.indexOf('/');
  const token = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '/' : rest.slice(slash).replace(/(.)\/$/, '$1');
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return { kind: 'no-lane' };
  if ((method === 'HEAD' || method === 'GET') && path === '/') return { kind: 'probe', token };
  if (method === 'POST' && Object.hasOwn(FORWARDED, path)) {
    return { kind: 'forward', token, path: path + url.search, messages: FORWARDED[path] };
  }
  return { kind: 'refused', token, what: `${method ?? '?'} ${path}` };
}
