import { writeFileSync } from 'node:fs';
import { type Server as HttpServer, createServer as createHttpServer } from 'node:http';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { SandboxIsolation } from './decide-sandbox';
import { describeRefusedAddress } from './serve-allowed-hosts';
import { type SandboxWorld, createSandboxWorld, requireBwrap, runIn } from './__fixtures__/sandbox-fixture';

/*
 * What the sandbox promises about the network, with the real bubblewrap: none, except the API
 * proxy bridged in at the same address, and HTTPS through a proxy to the hosts the plan allows.
 */

let world: SandboxWorld;
let bwrap: SandboxIsolation;
const servers: (Server | HttpServer)[] = [];

beforeAll(() => {
  bwrap = requireBwrap();
});
beforeEach(() => {
  world = createSandboxWorld();
  // A client run inside: connects to host:port, prints what it read or the error code.
  writeFileSync(
    join(world.scratch, 'tcp-client.js'),
    `const s = require('net').connect({ host: process.argv[2], port: Number(process.argv[3]) });
     s.setTimeout(3000, () => { console.log('TIMEOUT'); process.exit(0); });
     s.on('connect', () => s.write(process.argv[4] || 'ping\\n'));
     s.on('data', (d) => { console.log('READ ' + d.toString().trim().split('\\r\\n')[0]); s.destroy(); });
     s.on('error', (e) => console.log('ERROR ' + e.code));`,
  );
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
  world.remove();
});

function listen<T extends Server | HttpServer>(server: T, host = '127.0.0.1'): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));
}

const echoServer = () => createServer((socket) => socket.on('data', (d) => socket.end(`echo ${d.toString().trim()}\n`)));
const node = process.execPath;

describe('runSandboxed: network', () => {
  it("cannot reach a server on this machine's loopback, nor any other address", async () => {
    const port = await listen(echoServer(), '0.0.0.0');
    const external = Object.values(networkInterfaces()).flatMap((l) => l ?? []).find((i) => i.family === 'IPv4' && !i.internal)?.address;
    const command = [`${node} tcp-client.js 127.0.0.1 ${port}`, external ? `${node} tcp-client.js ${external} ${port}` : 'echo ERROR ENETUNREACH', `${node} tcp-client.js 1.1.1.1 53`]
      .map((c) => `(cd '${world.scratch}' && ${c})`)
      .join('; ');
    const [inside, outside] = [await runIn(world, bwrap, { command }), await runIn(world, { kind: 'none' }, { command })];
    expect(inside.stdout).toEqual(['ERROR ECONNREFUSED', 'ERROR ENETUNREACH', 'ERROR ENETUNREACH']);
    // The same client unsandboxed does reach the local server: the test server is really there.
    expect(outside.stdout.slice(0, 1)).toEqual(['READ echo ping']);
  });

  it('reaches the API proxy at the same 127.0.0.1 address inside, through the bridge, and nothing else on loopback', async () => {
    const api = createHttpServer((request, response) => response.end(`api saw ${request.method} ${request.url}`));
    const apiPort = await listen(api);
    const otherPort = await listen(echoServer());
    const fetchApi = `${node} -e "fetch('http://127.0.0.1:${apiPort}/v1/messages', { method: 'POST' }).then((r) => r.text()).then(console.log, (e) => console.log('ERROR', e.cause?.code))"`;
    const run = await runIn(world, bwrap, {
      network: { apiProxy: { port: apiPort } },
      command: `${fetchApi}; (cd '${world.scratch}' && ${node} tcp-client.js 127.0.0.1 ${otherPort}); sleep 0.1 & wait; echo waited`,
    });
    expect(run.stdout).toEqual(['api saw POST /v1/messages', 'ERROR ECONNREFUSED', 'waited']);
  });

  it('tunnels HTTPS (CONNECT) to allowed hosts only, through HTTPS_PROXY, and refuses plain HTTP', async () => {
    const upstreamPort = await listen(echoServer());
    const dialed: string[] = [];
    const dialHost = (host: string, port: number) => {
      dialed.push(`${host}:${port}`);
      return new Promise<Socket>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: upstreamPort }, () => resolve(socket));
        socket.on('error', reject);
      });
    };
    // Speaks to the proxy named by HTTPS_PROXY as an HTTPS client would; prints its answer line.
    writeFileSync(
      join(world.scratch, 'proxy-client.js'),
      `const u = new URL(process.env.HTTPS_PROXY);
       const [method, target] = process.argv.slice(2);
       const s = require('net').connect(Number(u.port), u.hostname, () => s.write(method + ' ' + target + ' HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'));
       let seen = '';
       s.on('data', (d) => {
         seen += d;
         const [head, body] = seen.split('\\r\\n\\r\\n');
         if (body === undefined) return;
         if (head.startsWith('HTTP/1.1 200') && !body) return s.write('hello\\n');
         console.log(head.split('\\r\\n')[0] + (head.startsWith('HTTP/1.1 200') ? ' | ' + body.trim() : ''));
         s.destroy();
       });`,
    );
    const through = (method: string, target: string) => `(cd '${world.scratch}' && ${node} proxy-client.js ${method} ${target})`;
    const run = await runIn(world, bwrap, {
      network: { allowHosts: ['*.allowed.test', 'exact.test:443'], dialHost },
      command: [
        'echo "$HTTPS_PROXY $NO_PROXY"',
        through('CONNECT', 'api.allowed.test:443'),
        through('CONNECT', 'exact.test:8443'),
        through('CONNECT', 'denied.test:443'),
        through('GET', 'http://api.allowed.test/'),
      ].join('; '),
    });
    expect(run.stdout).toEqual([
      'http://127.0.0.1:3128 127.0.0.1,localhost',
      'HTTP/1.1 200 Connection Established | echo hello',
      'HTTP/1.1 403 Forbidden',
      'HTTP/1.1 403 Forbidden',
      'HTTP/1.1 403 Forbidden',
    ]);
    expect(dialed).toEqual(['api.allowed.test:443']);
    expect(run.stderr).toEqual([
      "[nx-agent-lanes sandbox: refused a connection to exact.test:8443: is not in the plan's allowHosts]",
      "[nx-agent-lanes sandbox: refused a connection to denied.test:443: is not in the plan's allowHosts]",
      '[nx-agent-lanes sandbox: refused a connection to http://api.allowed.test/: plain HTTP through the proxy]',
    ]);
  });

  it('never dials an allowed name that resolves to this machine or link-local (cloud metadata)', () => {
    expect(describeRefusedAddress('127.0.0.53')).toBe('loopback');
    expect(describeRefusedAddress('::ffff:127.0.0.1')).toBe('loopback');
    expect(describeRefusedAddress('::1')).toBe('loopback');
    expect(describeRefusedAddress('0.0.0.0')).toBe('unspecified');
    expect(describeRefusedAddress('169.254.169.254')).toBe('link-local (cloud metadata)');
    expect(describeRefusedAddress('fe80::1')).toBe('link-local');
    expect(describeRefusedAddress('10.0.0.5', new Set(['10.0.0.5']))).toBe("this machine's own address");
    expect(describeRefusedAddress('104.16.1.1')).toBeUndefined();
    expect(describeRefusedAddress('2606:4700::1')).toBeUndefined();
  });
});
