import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/*
 * A loopback server for Nx's self-hosted remote cache, speaking what Nx 22.7.8 sends
 * (packages/nx/src/native/cache/http_remote_cache.rs, reqwest, selected by
 * NX_SELF_HOSTED_REMOTE_CACHE_SERVER in nx/src/tasks-runner/cache.js getHttpCache):
 *   - every request carries `Content-Type: application/octet-stream` and, when
 *     NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN is set, `Authorization: Bearer <token>`;
 *   - retrieve is one `GET {url}/v1/cache/{hash}` with `Accept: application/octet-stream`
 *     (no HEAD first): 200 + the gzipped tarball is a hit, 404 a miss, anything else an error;
 *   - store is `PUT {url}/v1/cache/{hash}` with the tarball as the body: 200 stored,
 *     409 (entry exists) and 403 (read-only token) are "not stored" without an error.
 * Status codes follow Nx's published OpenAPI spec for such servers: 401 for a missing or
 * wrong token, 409 for a PUT of a hash already stored (entries are immutable).
 */

export interface RemoteCacheRequest {
  method: string;
  hash: string;
  status: number;
}

export interface RemoteCacheStats {
  /** GETs answered 200. */
  hits: number;
  /** GETs answered 404. */
  misses: number;
  /** PUTs answered 200 (stored). */
  puts: number;
  /** PUTs answered 409 (already stored). */
  conflicts: number;
  /** Requests answered 401. */
  unauthorized: number;
}

export interface RemoteCacheServer {
  /** The value for NX_SELF_HOSTED_REMOTE_CACHE_SERVER, e.g. `http://127.0.0.1:43210`. */
  url: string;
  port: number;
  /** The value for NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN. */
  token: string;
  /** Environment that points an nx process at this server. */
  env(): { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: string; NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: string };
  stats(): RemoteCacheStats;
  /** Every request, in arrival order. */
  requests(): RemoteCacheRequest[];
  /** Hashes stored so far. */
  hashes(): string[];
  /** The stored body (Nx's gzipped tarball) of `hash`. */
  entry(hash: string): Buffer | undefined;
  /** Ends open connections and stops listening. */
  close(): Promise<void>;
}

export interface RemoteCacheServerOptions {
  /** The bearer token every request must carry. */
  token: string;
  /** Default 0: any free port. */
  port?: number;
}

const CACHE_PATH = /^\/v1\/cache\/([A-Za-z0-9._-]+)$/;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Starts the server on 127.0.0.1; entries live in memory until close(). */
export async function startRemoteCacheServer(options: RemoteCacheServerOptions): Promise<RemoteCacheServer> {
  const entries = new Map<string, Buffer>();
  const log: RemoteCacheRequest[] = [];
  const stats: RemoteCacheStats = { hits: 0, misses: 0, puts: 0, conflicts: 0, unauthorized: 0 };
  const sockets = new Set<Socket>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = CACHE_PATH.exec(new URL(req.url ?? '/', 'http://cache').pathname);
    const hash = match?.[1] ?? '';
    const body = await readBody(req);
    const answer = (status: number, text = '') => {
      log.push({ method: req.method ?? '', hash, status });
      sendText(res, status, text);
    };
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      stats.unauthorized++;
      return answer(401, 'Missing or invalid bearer token');
    }
    if (!match) return answer(404, 'Not found');
    if (req.method === 'GET') {
      const entry = entries.get(hash);
      if (!entry) {
        stats.misses++;
        return answer(404, 'No cache entry for this hash');
      }
      stats.hits++;
      log.push({ method: 'GET', hash, status: 200 });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': entry.length });
      res.end(entry);
      return;
    }
    if (req.method === 'PUT') {
      if (entries.has(hash)) {
        stats.conflicts++;
        return answer(409, 'Cache entry already exists');
      }
      entries.set(hash, body);
      stats.puts++;
      return answer(200);
    }
    return answer(405, 'Method not allowed');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendText(res, 500, (error as Error).message);
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    token: options.token,
    env: () => ({ NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: options.token }),
    stats: () => ({ ...stats }),
    requests: () => [...log],
    hashes: () => [...entries.keys()],
    entry: (hash) => entries.get(hash),
    close: () =>
      new Promise<void>((resolve, reject) => {
        // reqwest keeps connections alive; without this, close() would wait for them to idle out.
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
