import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts `server` on `host` (default 127.0.0.1) and `port` (default any free one); resolves its address and URL. */
export async function listenOnLoopback(server: Server, options: { host?: string; port?: number }): Promise<{ port: number; url: string }> {
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return { port, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}` };
}
