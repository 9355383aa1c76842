import { chmod, lstat, unlink } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LanesError } from '../errors';

/** TCP on a loopback host (default 127.0.0.1, any free port), or a Unix socket a sandbox can bridge in. */
export type ProxyListen = { port?: number; host?: string } | { socketPath: string };

export interface ProxyAddress {
  origin?: string;
  socketPath?: string;
  /** Removes what listening left behind (the socket file). */
  cleanup(): Promise<void>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

async function removeStaleSocket(socketPath: string): Promise<void> {
  const stat = await lstat(socketPath).catch(() => undefined);
  if (!stat) return;
  // Only a socket left by an earlier run is removed; any other file at that path is someone's data.
  if (!stat.isSocket()) throw new LanesError(`The metering proxy cannot listen on ${socketPath}: a file that is not a socket is there.`);
  await unlink(socketPath);
}

function listen(server: Server, ...args: [string] | [number, string]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(...(args as [number, string]), () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Starts `server` where `listen` says. A proxy that forwards to itself would loop each request
 * until the sockets run out, so an upstream equal to the proxy's own address is refused.
 */
export async function listenForProxy(server: Server, where: ProxyListen, upstream: URL): Promise<ProxyAddress> {
  if ('socketPath' in where) {
    await removeStaleSocket(where.socketPath);
    await listen(server, where.socketPath);
    // The socket is the capability: only the user running nx (and the sandbox bridge) may connect.
    await chmod(where.socketPath, 0o600);
    return { socketPath: where.socketPath, cleanup: () => unlink(where.socketPath).catch(() => undefined) };
  }
  const host = where.host ?? '127.0.0.1';
  if (!LOOPBACK.test(host)) {
    throw new LanesError(`The metering proxy listens on loopback only, not on ${host}: it holds the API key.`);
  }
  await listen(server, where.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const upstreamPort = upstream.port || (upstream.protocol === 'https:' ? '443' : '80');
  if (LOOPBACK.test(upstream.hostname.replace(/^\[|\]$/g, '')) && upstreamPort === String(port)) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw new LanesError(`The metering proxy's upstream ${upstream.origin} is the proxy itself.`, {
      hint: 'ANTHROPIC_BASE_URL already points at a lane proxy; pass the user\'s original base URL as the upstream.',
    });
  }
  return { origin, cleanup: async () => undefined };
}
