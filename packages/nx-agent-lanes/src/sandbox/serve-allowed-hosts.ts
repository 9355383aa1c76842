import { lookup } from 'node:dns/promises';
import { createServer as createHttpServer } from 'node:http';
import { type Socket, connect, isIPv4, isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { type HostPattern, matchHostPattern, parseHostPattern } from '../feature/read-sandbox';
import { type SocketServer, listenOnSocket, relay } from './bridge-socket';

/** Opens the upstream connection of an allowed CONNECT; rejects with a reason to refuse it. */
export type DialHost = (host: string, port: number) => Promise<Socket>;

export interface ServeAllowedHostsOptions {
  socketPath: string;
  /** `allowHosts` entries as the plan writes them (validated when the plan was read). */
  allowHosts: readonly string[];
  /** Default: resolve the name once, refuse this machine's and link-local addresses, connect to what passed. */
  dial?: DialHost;
  /** Told of each refused connection, to log it where the lane's output goes. */
  onRefused?: (target: string, why: string) => void;
}

/**
 * The host half of the sandbox's only way out besides the API: an HTTP CONNECT proxy on a unix
 * socket that opens a tunnel only to hosts the plan allows. Only CONNECT (what HTTPS clients send
 * through HTTPS_PROXY): a plain-HTTP request through the proxy is refused, and so is any host the
 * patterns do not name. The name is resolved here and the address checked, so a permitted name
 * whose DNS points at this machine or at a cloud metadata address still reaches nothing.
 */
export function serveAllowedHosts(options: ServeAllowedHostsOptions): Promise<SocketServer> {
  const patterns = options.allowHosts.map(parseHostPattern).filter((p): p is HostPattern => !('problem' in p));
  const dial = options.dial ?? dialCheckedAddress;
  const server = createHttpServer((request, response) => {
    options.onRefused?.(request.url ?? '', 'plain HTTP through the proxy');
    response.writeHead(403, { 'content-type': 'text/plain' }).end('nx-agent-lanes sandbox: only HTTPS (CONNECT) to the hosts in the plan\'s allowHosts is forwarded.\n');
  });
  server.on('connect', (request, client: Socket, head: Buffer) => {
    const target = request.url ?? '';
    const parsed = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(target);
    const refuse = (why: string) => {
      options.onRefused?.(target, why);
      client.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\nnx-agent-lanes sandbox: ${target} ${why}.\n`);
    };
    client.on('error', () => client.destroy());
    if (!parsed) return refuse('is not host:port');
    const [, host, portText] = parsed;
    const port = Number(portText);
    if (!patterns.some((p) => matchHostPattern(p, host, port))) return refuse("is not in the plan's allowHosts");
    dial(host, port).then(
      (upstream) => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) upstream.write(head);
        relay(client, upstream);
      },
      (error: unknown) => refuse(error instanceof Error ? error.message : String(error)),
    );
  });
  return listenOnSocket(server, options.socketPath);
}

async function dialCheckedAddress(host: string, port: number): Promise<Socket> {
  const own = new Set(Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address)));
  const addresses = await lookup(host, { all: true, verbatim: true });
  const address = addresses.find((a) => describeRefusedAddress(a.address, own) === undefined);
  if (!address) throw new Error(`resolves only to addresses the sandbox never reaches (${describeRefusedAddress(addresses[0]?.address ?? '', own) ?? 'none'})`);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address.address, port });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Why an address is out of reach whatever the plan says, or undefined: this machine (loopback,
 * unspecified, one of its own interface addresses) and link-local, which holds the cloud metadata
 * service (169.254.169.254). An IPv4-mapped IPv6 address is judged by its IPv4 part.
 */
export function describeRefusedAddress(address: string, ownAddresses: ReadonlySet<string> = new Set()): string | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const ip = mapped ?? address.toLowerCase();
  if (ownAddresses.has(ip)) return "this machine's own address";
  if (isIPv4(ip)) {
    const [a, b] = ip.split('.').map(Number);
    if (a === 127) return 'loopback';
    if (a === 0) return 'unspecified';
    if (a === 169 && b === 254) return 'link-local (cloud metadata)';
    return undefined;
  }
  if (isIPv6(ip)) {
    if (ip === '::1') return 'loopback';
    if (ip === '::') return 'unspecified';
    if (/^fe[89ab]/.test(ip)) return 'link-local';
    return undefined;
  }
  return 'not an IP address';
}
