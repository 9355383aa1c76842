import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PRICES } from '../feature/default-agent';
import { startMessagesApiServer, type MessagesApiServer } from '../replay/messages-api-server';
import type { FaultRule } from '../replay/script-types';
import { blockStart, messageEnd, messageStart, startScriptedUpstream, textDelta, type ScriptedUpstream } from './__fixtures__/scripted-upstream';
import { PLACEHOLDER_API_KEY } from './build-lane-env';
import type { MeteringProxy, MeteringProxyOptions } from './proxy-types';
import { startMeteringProxy } from './start-metering-proxy';

const KEY = 'fake-key-marker-REAL-KEY-streams-0123456789';
const MODEL = 'claude-sonnet-4-6';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function upstreamOf(answer: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): Promise<ScriptedUpstream> {
  const upstream = await startScriptedUpstream(answer);
  closers.push(() => upstream.close());
  return upstream;
}

async function replayOf(faults: FaultRule[] = []): Promise<MessagesApiServer> {
  const server = await startMessagesApiServer({
    script: { sessions: [{ name: 'a', match: {}, turns: [{ content: [{ type: 'text', text: 'A long answer. '.repeat(50) }] }] }] },
    faults,
  });
  closers.push(() => server.close());
  return server;
}

async function proxyTo(upstream: string, extra: Partial<MeteringProxyOptions> = {}): Promise<{ proxy: MeteringProxy; logs: string[] }> {
  const logs: string[] = [];
  const proxy = await startMeteringProxy({
    upstream,
    apiKey: KEY,
    lanes: { a: { budgetUsd: 5, maxTurns: 10, model: MODEL, prices: DEFAULT_PRICES } },
    log: (line) => logs.push(line),
    ...extra,
  });
  closers.push(() => proxy.close());
  return { proxy, logs };
}

const ask = { model: MODEL, max_tokens: 1024, messages: [{ role: 'user' as const, content: 'Go.' }] };
const sdk = (proxy: MeteringProxy, options: ConstructorParameters<typeof Anthropic>[0] = {}) =>
  new Anthropic({ apiKey: PLACEHOLDER_API_KEY, baseURL: proxy.urlFor('a'), maxRetries: 0, ...options });

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

function streamHead(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'request-id': 'req_up' });
}

describe('startMeteringProxy: what goes upstream', () => {
  it('sends its own key as x-api-key, drops the client\'s, and keeps the upstream path, query and API headers', async () => {
    const upstream = await upstreamOf((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'message', model: MODEL, content: [], usage: { input_tokens: 3, output_tokens: 4 } }));
    });
    const { proxy } = await proxyTo(`${upstream.url}/gateway/`);
    // Claude Code sends `POST /v1/messages?beta=true`; SDK 1.13's beta.messages does not, so the query is set here.
    await sdk(proxy, { defaultHeaders: { 'x-api-key': 'sk-client-own-key', 'anthropic-beta': 'files-api-2025-04-14' } }).messages.create(ask, {
      query: { beta: 'true' },
    });
    const [seen] = upstream.requests;
    expect(seen.url).toBe('/gateway/v1/messages?beta=true');
    expect(seen.headers['x-api-key']).toBe(KEY);
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers['anthropic-version']).toBeDefined();
    expect(seen.headers['anthropic-beta']).toBe('files-api-2025-04-14');
    expect(seen.headers['accept-encoding']).toBe('identity');
    expect(JSON.stringify(seen.headers)).not.toContain(PLACEHOLDER_API_KEY);
    expect(JSON.stringify(seen.headers)).not.toContain('sk-client-own-key');
    expect(proxy.meter('a').usage).toMatchObject({ input: 3, output: 4 });
  });

  it('sends ANTHROPIC_AUTH_TOKEN as a bearer token', async () => {
    const upstream = await upstreamOf((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"usage":{}}');
    });
    const { proxy } = await proxyTo(upstream.url, { apiKey: undefined, authToken: 'oauth-token-xyz-123' });
    await sdk(proxy).messages.create(ask);
    expect(upstream.requests[0].headers.authorization).toBe('Bearer oauth-token-xyz-123');
    expect(upstream.requests[0].headers['x-api-key']).toBeUndefined();
  });

  it('takes a credential an upstream echoes out of the error it passes back', async () => {
    const upstream = await upstreamOf((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json', 'x-echo': `got ${KEY}` });
      res.end(JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key ${KEY}` } }));
    });
    const { proxy, logs } = await proxyTo(upstream.url);
    const error = (await sdk(proxy).messages.create(ask).catch((e: unknown) => e)) as APIError;
    expect(error.status).toBe(401);
    expect(error.message).toContain('invalid x-api-key [redacted]');
    expect(error.headers?.get('x-echo')).toBe('got [redacted]');
    expect(JSON.stringify(error)).not.toContain(KEY);
    expect(logs.join('\n')).not.toContain(KEY);
  });

  it('answers an unreachable upstream with a 502 the SDK retries, naming the upstream', async () => {
    const gone = await upstreamOf(() => undefined);
    await gone.close();
    const { proxy } = await proxyTo(gone.url);
    const error = (await sdk(proxy, { maxRetries: 1 }).messages.create(ask).catch((e: unknown) => e)) as APIError;
    expect(error.status).toBe(502);
    expect(error.message).toContain(`the proxy could not reach ${gone.url}`);
    expect(proxy.meter('a')).toMatchObject({ requests: 2, turns: 0 });
  });
});

describe('startMeteringProxy: streams', () => {
  it('passes an SSE error event through as it came; the SDK does not retry it and the input is metered', async () => {
    const replay = await replayOf([{ kind: 'mid-stream-error', afterEvents: 2 }]);
    const { proxy } = await proxyTo(replay.url);
    const error = await sdk(proxy, { maxRetries: 2 }).messages.stream(ask).finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('Overloaded (replayed mid-stream fault).');
    expect(replay.stats().requests).toBe(1);
    const meter = proxy.meter('a');
    expect(meter).toMatchObject({ turns: 1, estimated: 1 });
    expect(meter.usage.input).toBeGreaterThan(0);
  });

  it('meters a stream the SDK aborted after its first text, as the replay server served it', async () => {
    const replay = await replayOf();
    const { proxy } = await proxyTo(replay.url);
    const stream = sdk(proxy).messages.stream(ask);
    stream.on('text', () => stream.abort());
    await stream.done().catch(() => undefined);
    await until(() => proxy.meter('a').turns === 1);
    const served = replay.stats().usage;
    expect(proxy.meter('a').usage).toMatchObject({ input: served.input_tokens, output: served.output_tokens });
  });

  it('reads on after the client went away mid-stream, so the final usage is metered', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const upstream = await upstreamOf(async (_req, res) => {
      streamHead(res);
      res.write(messageStart({ input_tokens: 500, output_tokens: 1, cache_read_input_tokens: 40 }) + blockStart() + textDelta('Hello'));
      await released;
      res.end(textDelta(' and the rest.') + messageEnd(777));
    });
    const { proxy, logs } = await proxyTo(upstream.url);
    const stream = sdk(proxy).messages.stream(ask);
    await new Promise<void>((resolve) => stream.on('text', () => resolve()));
    stream.abort();
    await stream.done().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(proxy.meter('a').turns).toBe(0);
    release();
    await until(() => proxy.meter('a').turns === 1);
    expect(proxy.meter('a')).toMatchObject({ estimated: 0, usage: { input: 500, output: 777, cacheRead: 40 } });
    expect(logs.at(-1)).toContain('[client gone]');
  });

  it('gives up reading after drainTimeoutMs and meters the input with the output estimated from what was seen', async () => {
    const upstream = await upstreamOf((_req, res) => {
      streamHead(res);
      res.write(messageStart({ input_tokens: 900, output_tokens: 1 }) + blockStart() + textDelta('x'.repeat(400)));
    });
    const { proxy } = await proxyTo(upstream.url, { drainTimeoutMs: 100 });
    const stream = sdk(proxy).messages.stream(ask);
    await new Promise<void>((resolve) => stream.on('text', () => resolve()));
    stream.abort();
    await stream.done().catch(() => undefined);
    await until(() => proxy.meter('a').turns === 1);
    expect(proxy.meter('a')).toMatchObject({ estimated: 1, usage: { input: 900, output: 100 } });
  });

  it('guesses the cost of a JSON answer cut short from the bytes each way, and flags it', async () => {
    const upstream = await upstreamOf((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`{"id":"msg_1","content":[{"type":"text","text":"${'z'.repeat(4000)}`);
      setTimeout(() => res.destroy(), 20);
    });
    const { proxy } = await proxyTo(upstream.url);
    await expect(sdk(proxy).messages.create(ask)).rejects.toThrow();
    await until(() => proxy.meter('a').turns === 1);
    const meter = proxy.meter('a');
    expect(meter.estimated).toBe(1);
    expect(meter.usage.input).toBeGreaterThan(10);
    expect(meter.usage.output).toBeGreaterThan(1000);
    expect(meter.costUsd).toBeGreaterThan(0);
  });

  it('meters what it saw of a stream still open when the proxy closes', async () => {
    const upstream = await upstreamOf((_req, res) => {
      streamHead(res);
      res.write(messageStart({ input_tokens: 321, output_tokens: 1 }));
    });
    const { proxy } = await proxyTo(upstream.url);
    const stream = sdk(proxy).messages.stream(ask);
    stream.on('error', () => undefined);
    await until(() => upstream.requests.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await proxy.close();
    expect(proxy.meter('a')).toMatchObject({ turns: 1, estimated: 1, usage: { input: 321 } });
  });

  it('holds no more than socket buffers of a long stream whose client reads slowly, and delivers all of it', async () => {
    const piece = textDelta('y'.repeat(64 * 1024 - 100));
    const pieces = 1024; // 64 MB
    let written = 0;
    const upstream = await upstreamOf(async (_req, res) => {
      streamHead(res);
      res.write(messageStart({ input_tokens: 10, output_tokens: 1 }) + blockStart());
      for (let i = 0; i < pieces; i++) {
        written += piece.length;
        if (!res.write(piece)) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end(messageEnd(123_456));
    });
    const { proxy } = await proxyTo(upstream.url);
    const response = await new Promise<IncomingMessage>((resolve) => {
      const url = new URL(`${proxy.urlFor('a')}/v1/messages`);
      const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, resolve);
      req.end(JSON.stringify({ ...ask, stream: true }));
    });
    response.pause();
    await new Promise((resolve) => setTimeout(resolve, 400));
    const writtenWhilePaused = written;
    let received = 0;
    response.on('data', (chunk: Buffer) => (received += chunk.length));
    response.resume();
    await new Promise((resolve) => response.on('end', resolve));
    // Unbounded buffering would let the upstream write all 64 MB; socket buffers on two loopback legs hold a few MB.
    expect(writtenWhilePaused).toBeLessThan(32 * 1024 * 1024);
    expect(received).toBeGreaterThan(pieces * piece.length);
    await until(() => proxy.meter('a').turns === 1);
    expect(proxy.meter('a')).toMatchObject({ estimated: 0, usage: { input: 10, output: 123_456 } });
  });
});

describe('startMeteringProxy: one request of a lane at a time', () => {
  it('queues a lane\'s second request behind its first, and drops one whose client gave up while queued', async () => {
    const holds: Array<() => void> = [];
    const upstream = await upstreamOf(async (_req, res) => {
      await new Promise<void>((resolve) => holds.push(resolve));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ model: MODEL, usage: { input_tokens: 1, output_tokens: 1 } }));
    });
    const { proxy, logs } = await proxyTo(upstream.url);
    const anthropic = sdk(proxy);
    const first = anthropic.messages.create(ask);
    await until(() => holds.length === 1);
    // A raw request, so giving up surely closes its connection.
    const gaveUp = httpRequest(new URL(`${proxy.urlFor('a')}/v1/messages`), { method: 'POST', headers: { 'content-type': 'application/json' } });
    gaveUp.on('error', () => undefined);
    gaveUp.end(JSON.stringify(ask));
    const third = anthropic.messages.create(ask);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(upstream.requests).toHaveLength(1);
    gaveUp.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    holds.shift()?.();
    await first;
    await until(() => holds.length === 1);
    holds.shift()?.();
    await third;
    expect(upstream.requests).toHaveLength(2);
    expect(proxy.meter('a')).toMatchObject({ requests: 2, turns: 2 });
    expect(logs.filter((line) => line.includes('POST /v1/messages 200'))).toHaveLength(2);
  });
});

describe('startMeteringProxy: listening', () => {
  it('listens on a Unix socket only its user can open, and removes it on close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxy-socket-'));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    const replay = await replayOf();
    const socketPath = join(dir, 'api.sock');
    const { proxy } = await proxyTo(replay.url, { listen: { socketPath } });
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
    expect(() => proxy.urlFor('a')).toThrow(/needs the origin/);
    expect(proxy.urlFor('a', 'http://127.0.0.1:9999')).toBe(`http://127.0.0.1:9999${proxy.pathFor('a')}`);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpRequest({ socketPath, path: `${proxy.pathFor('a')}/v1/messages`, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', reject);
      req.end(JSON.stringify(ask));
    });
    expect(status).toBe(200);
    expect(proxy.meter('a').turns).toBe(1);
    await proxy.close();
    expect(existsSync(socketPath)).toBe(false);
  });

  it('refuses options that would leave a budget uncounted or the key exposed, before listening', async () => {
    const lanes = { a: { budgetUsd: 1, maxTurns: 5, model: MODEL, prices: DEFAULT_PRICES } };
    await expect(
      startMeteringProxy({ upstream: 'http://127.0.0.1:1', apiKey: KEY, lanes: { a: { ...lanes.a, model: 'claude-new-1' } } }),
    ).rejects.toThrow('No price is known for model `claude-new-1`');
    await expect(startMeteringProxy({ upstream: 'ftp://x', apiKey: KEY, lanes })).rejects.toThrow('is not an http(s) URL');
    await expect(startMeteringProxy({ upstream: 'http://u:p@127.0.0.1:1', apiKey: KEY, lanes })).rejects.toThrow(/carries credentials/);
    await expect(startMeteringProxy({ upstream: 'http://127.0.0.1:1', apiKey: KEY, lanes, listen: { host: '0.0.0.0' } })).rejects.toThrow(/loopback only/);
    await expect(startMeteringProxy({ apiKey: KEY, lanes: { a: { ...lanes.a, maxTurns: 0 } } })).rejects.toThrow(/maxTurns must be a whole number/);
  });

  it('refuses to forward to itself', async () => {
    const probe = await upstreamOf(() => undefined);
    const port = Number(new URL(probe.url).port);
    await probe.close();
    const attempt = startMeteringProxy({
      upstream: `http://127.0.0.1:${port}`,
      apiKey: KEY,
      lanes: { a: { budgetUsd: 1, maxTurns: 5, model: MODEL, prices: DEFAULT_PRICES } },
      listen: { port },
    });
    await expect(attempt).rejects.toThrow(/is the proxy itself/);
  });
});
