import Anthropic, { APIConnectionError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { startMessagesApiServer, type MessagesApiServer } from './messages-api-server';
import type { FaultRule, ReplayScript } from './script-types';

const script: ReplayScript = {
  sessions: [
    { name: 'lane-a', match: { contains: 'lane a' }, turns: [{ content: [{ type: 'text', text: 'A answered.' }] }] },
    { name: 'lane-b', match: { contains: 'lane b' }, turns: [{ content: [{ type: 'text', text: 'B answered.' }] }] },
  ],
};

const servers: MessagesApiServer[] = [];
async function start(faults: FaultRule[], latencyMs?: number): Promise<MessagesApiServer> {
  const server = await startMessagesApiServer({ script, faults, latencyMs });
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const client = (server: MessagesApiServer, maxRetries: number) =>
  new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries });
const params = (lane: string) => ({
  model: 'claude-haiku-4-5',
  max_tokens: 256,
  messages: [{ role: 'user' as const, content: `Work on lane ${lane}.` }],
});
const textOf = (message: Anthropic.Message) => (message.content[0] as Anthropic.TextBlock).text;

describe('startMessagesApiServer: faults the SDK retries', () => {
  it('rate-limits with retry-after, then answers', async () => {
    const server = await start([{ kind: 'rate-limit', retryAfterSeconds: 0.05, times: 2 }]);
    const message = await client(server, 2).messages.create(params('a'));
    expect(textOf(message)).toBe('A answered.');
    expect(server.stats()).toMatchObject({ requests: 3, faultsInjected: 2, bySession: { 'lane-a': 3 } });
  });

  it('sends the retry-after header and the rate_limit_error shape', async () => {
    const server = await start([{ kind: 'rate-limit', retryAfterSeconds: 7 }]);
    const response = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'content-type': 'application/json' },
      body: JSON.stringify(params('a')),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });

  it.each([
    ['overloaded', 529, 'overloaded_error'],
    ['server-error', 500, 'api_error'],
  ] as const)('%s answers %i %s; the SDK retries it', async (kind, status, type) => {
    const retried = await start([{ kind }]);
    expect(textOf(await client(retried, 1).messages.create(params('a')))).toBe('A answered.');
    expect(retried.stats()).toMatchObject({ requests: 2, faultsInjected: 1 });

    const notRetried = await start([{ kind }]);
    const error = await client(notRetried, 0).messages.create(params('a')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(status);
    expect((error as APIError).type).toBe(type);
  });

  it('resets the connection; the SDK retries it', async () => {
    const server = await start([{ kind: 'reset' }]);
    expect(textOf(await client(server, 1).messages.create(params('a')))).toBe('A answered.');

    const once = await start([{ kind: 'reset' }]);
    const error = await client(once, 0).messages.create(params('a')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
  });

  it('hits only the session and turn a rule names, and re-arms on reset()', async () => {
    const server = await start([{ kind: 'server-error', session: 'lane-b', turn: 0 }]);
    const anthropic = client(server, 0);
    expect(textOf(await anthropic.messages.create(params('a')))).toBe('A answered.');
    await expect(anthropic.messages.create(params('b'))).rejects.toBeInstanceOf(APIError);
    expect(textOf(await anthropic.messages.create(params('b')))).toBe('B answered.');
    server.reset();
    await expect(anthropic.messages.create(params('b'))).rejects.toBeInstanceOf(APIError);
    expect(server.stats().faultsInjected).toBe(1);
  });
});

describe('startMessagesApiServer: stream faults', () => {
  it('surfaces a mid-stream error to the caller, unretried', async () => {
    const server = await start([{ kind: 'mid-stream-error', afterEvents: 2 }]);
    const stream = client(server, 2).messages.stream(params('a'));
    const events: string[] = [];
    stream.on('streamEvent', (event) => events.push(event.type));
    const error = await stream.finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).type).toBe('overloaded_error');
    expect(events).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
    expect(server.stats()).toMatchObject({ requests: 1, faultsInjected: 1 });
    expect(server.stats().usage.output_tokens).toBe(0);
  });

  it('leaves non-streaming requests alone under a mid-stream-error rule', async () => {
    const server = await start([{ kind: 'mid-stream-error' }]);
    expect(textOf(await client(server, 0).messages.create(params('a')))).toBe('A answered.');
    expect(server.stats().faultsInjected).toBe(0);
  });

  it('stalls a stream until the client gives up', async () => {
    const server = await start([{ kind: 'stall' }]);
    const stream = client(server, 0).messages.stream(params('a'), { signal: AbortSignal.timeout(200) });
    const started = new Promise((resolve) => stream.on('streamEvent', resolve));
    const error = await stream.finalMessage().catch((e: unknown) => e);
    await started;
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(server.stats().faultsInjected).toBe(1);
  });

  it('ends stalled streams and pending latency on close()', async () => {
    const server = await start([{ kind: 'stall', session: 'lane-a' }], 60_000);
    const anthropic = client(server, 0);
    const stalled = anthropic.messages.stream(params('a'));
    await new Promise((resolve) => stalled.on('streamEvent', resolve));
    const delayed = anthropic.messages.create(params('b')).catch((e: unknown) => e);
    const stalledResult = stalled.finalMessage().catch((e: unknown) => e);
    await waitFor(() => server.stats().requests === 2);

    await server.close();
    expect(await stalledResult).toBeInstanceOf(Error);
    expect(await delayed).toBeInstanceOf(APIConnectionError);
  });
});

describe('startMessagesApiServer: latency', () => {
  it('drops an answer whose client left during the turn latency, and logs it', async () => {
    const lines: string[] = [];
    const slow: ReplayScript = {
      sessions: [{ name: 'slow', match: {}, turns: [{ content: [{ type: 'text', text: 'late' }], latencyMs: 60_000 }] }],
    };
    const server = await startMessagesApiServer({ script: slow, log: (line) => lines.push(line) });
    servers.push(server);
    const error = await client(server, 0)
      .messages.create(params('a'), { signal: AbortSignal.timeout(100) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
    await waitFor(() => lines.some((line) => line.includes('abandoned during latency')));
    expect(lines).toEqual(['POST /v1/messages session=slow turn=0 abandoned during latency']);
    expect(server.stats().usage).toEqual({ input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
