import Anthropic, { APIError, BadRequestError, NotFoundError } from '@anthropic-ai/sdk';
import { DEFAULT_PRICES } from '../feature/default-agent';
import { startMessagesApiServer, type MessagesApiServer, type ServerStats } from '../replay/messages-api-server';
import type { FaultRule, ReplayScript } from '../replay/script-types';
import { createCapturingFetch } from './__fixtures__/scripted-upstream';
import { PLACEHOLDER_API_KEY } from './build-lane-env';
import type { MeteredLane, MeteringProxy, MeteringProxyOptions } from './proxy-types';
import { startMeteringProxy } from './start-metering-proxy';

const KEY = 'fake-key-marker-REAL-KEY-never-leaves-0123456789';
const MODEL = 'claude-sonnet-4-6';
const PRICE = { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 };

const script: ReplayScript = {
  sessions: [
    { name: 'backend', match: { contains: 'Lane: backend' }, turns: [{ content: [{ type: 'text', text: 'Route written.' }], usage: { output_tokens: 100 } }] },
    { name: 'docs', match: { contains: 'Lane: docs' }, turns: [{ content: [{ type: 'text', text: 'Docs written.' }], usage: { output_tokens: 100 } }] },
  ],
};

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function startReplay(faults: FaultRule[] = []): Promise<MessagesApiServer> {
  const server = await startMessagesApiServer({ script, faults, minCacheableTokens: 10 });
  closers.push(() => server.close());
  return server;
}

const lane = (extra: Partial<MeteredLane> = {}): MeteredLane => ({ budgetUsd: 2, maxTurns: 40, model: MODEL, prices: DEFAULT_PRICES, ...extra });

async function startProxy(upstream: string, extra: Partial<MeteringProxyOptions> = {}): Promise<{ proxy: MeteringProxy; logs: string[] }> {
  const logs: string[] = [];
  const proxy = await startMeteringProxy({ upstream, apiKey: KEY, lanes: { backend: lane(), docs: lane() }, log: (line) => logs.push(line), ...extra });
  closers.push(() => proxy.close());
  return { proxy, logs };
}

function client(proxy: MeteringProxy, laneName: string, options: { maxRetries?: number; fetch?: typeof fetch } = {}): Anthropic {
  return new Anthropic({ apiKey: PLACEHOLDER_API_KEY, baseURL: proxy.urlFor(laneName), maxRetries: options.maxRetries ?? 0, fetch: options.fetch });
}

const ask = (laneName: string, extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}) => ({
  model: MODEL,
  max_tokens: 1024,
  system: `You are a coding agent. Lane: ${laneName}`,
  messages: [{ role: 'user' as const, content: 'Build the export feature.' }],
  ...extra,
});

/** What the replay server served, priced at Sonnet 4.6's rates (no 1-hour writes here). */
function priceStats(usage: ServerStats['usage']): number {
  return (
    (usage.input_tokens * PRICE.input +
      usage.output_tokens * PRICE.output +
      usage.cache_creation_input_tokens * PRICE.cacheWrite +
      usage.cache_read_input_tokens * PRICE.cacheRead) /
    1e6
  );
}

const failureOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as APIError);

describe('startMeteringProxy: metering through the real SDK', () => {
  it('meters JSON, streamed and beta answers as the replay server served them, cache reads and writes included', async () => {
    const replay = await startReplay();
    const { proxy } = await startProxy(replay.url);
    const anthropic = client(proxy, 'backend');
    const cached = ask('backend', {
      system: [{ type: 'text', text: `Lane: backend. ${'Contract text. '.repeat(40)}`, cache_control: { type: 'ephemeral' } }],
    });
    const first = await anthropic.messages.create(cached);
    const stream = anthropic.messages.stream(cached);
    const deltas: string[] = [];
    stream.on('text', (text) => deltas.push(text));
    const second = await stream.finalMessage();
    await anthropic.beta.messages.create(ask('backend'));

    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(0);
    expect(second.usage.cache_read_input_tokens).toBeGreaterThan(0);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('Route written.');
    const served = replay.stats().usage;
    const meter = proxy.meter('backend');
    expect(meter).toMatchObject({ requests: 3, turns: 3, refused: 0, estimated: 0, unpricedModels: [] });
    expect(meter.usage).toEqual({
      input: served.input_tokens,
      output: served.output_tokens,
      cacheRead: served.cache_read_input_tokens,
      cacheWrite: served.cache_creation_input_tokens,
      cacheWrite1h: 0,
    });
    expect(meter.costUsd).toBeCloseTo(priceStats(served), 12);
    expect(proxy.meter('docs')).toMatchObject({ requests: 0, costUsd: 0 });
  });

  it('meters 1-hour cache writes apart and prices them at twice the input rate', async () => {
    const replay = await startReplay();
    const { proxy } = await startProxy(replay.url);
    const message = await client(proxy, 'docs')
      .messages.stream(
        ask('docs', { system: [{ type: 'text', text: `Lane: docs. ${'Style guide. '.repeat(40)}`, cache_control: { type: 'ephemeral', ttl: '1h' } }] }),
      )
      .finalMessage();
    const oneHour = message.usage.cache_creation?.ephemeral_1h_input_tokens ?? 0;
    expect(oneHour).toBeGreaterThan(0);
    const meter = proxy.meter('docs');
    expect(meter.usage).toMatchObject({ cacheWrite: oneHour, cacheWrite1h: oneHour });
    expect(meter.costUsd).toBeCloseTo((message.usage.input_tokens * 3 + message.usage.output_tokens * 15 + oneHour * 6) / 1e6, 12);
  });

  it('forwards count_tokens without counting a turn or a cost', async () => {
    const replay = await startReplay();
    const { proxy } = await startProxy(replay.url);
    const { max_tokens: _unused, ...params } = ask('docs');
    const counted = await client(proxy, 'docs').messages.countTokens(params);
    expect(counted.input_tokens).toBeGreaterThan(0);
    expect(proxy.meter('docs')).toMatchObject({ requests: 1, turns: 0, costUsd: 0 });
  });

  it('prices an answer from a model the table does not know as the lane\'s own model, and flags it', async () => {
    const replay = await startReplay();
    const { proxy, logs } = await startProxy(replay.url);
    const message = await client(proxy, 'docs').messages.create(ask('docs', { model: 'claude-unreleased-9' }));
    const meter = proxy.meter('docs');
    expect(meter.unpricedModels).toEqual(['claude-unreleased-9']);
    expect(meter.costUsd).toBeCloseTo((message.usage.input_tokens * 3 + message.usage.output_tokens * 15) / 1e6, 12);
    expect(logs).toContain(`lane docs: model claude-unreleased-9 has no price; priced as ${MODEL}`);
  });
});

describe('startMeteringProxy: limits', () => {
  it('stops a lane after the request that crossed its budget, with a 400 the SDK does not retry', async () => {
    const replay = await startReplay();
    // One answer costs about $0.0016: the second crosses $0.002, the third is refused.
    const { proxy, logs } = await startProxy(replay.url, { lanes: { backend: lane({ budgetUsd: 0.002 }) } });
    const anthropic = client(proxy, 'backend', { maxRetries: 2 });
    await anthropic.messages.create(ask('backend'));
    await anthropic.messages.create(ask('backend'));
    const spent = proxy.meter('backend').costUsd;
    expect(spent).toBeGreaterThan(0.002);

    const started = Date.now();
    const error = await failureOf(anthropic.messages.create(ask('backend')));
    expect(Date.now() - started).toBeLessThan(400);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error?.status).toBe(400);
    const message = `nx-agent-lanes: lane backend reached its budget of $0.0020 (spent $${spent.toFixed(4)} over 2 requests)`;
    expect(error?.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message } });
    expect(error?.headers?.get('x-should-retry')).toBe('false');
    expect(error?.headers?.get('x-nx-agent-lanes-stop')).toBe('budget');
    // maxRetries: 2, yet one request: the SDK did not retry the stop, and nothing more went upstream.
    expect(proxy.meter('backend')).toMatchObject({ requests: 2, turns: 2, refused: 1, stopped: { reason: 'budget', message } });
    expect(replay.stats().requests).toBe(2);
    expect(logs).toContain(`lane backend: stopped: ${message}`);

    await expect(anthropic.messages.stream(ask('backend')).finalMessage()).rejects.toBeInstanceOf(BadRequestError);
    expect(proxy.meter('backend').refused).toBe(2);
  });

  it('stops a lane at maxTurns, counting what earlier runs used', async () => {
    const replay = await startReplay();
    const { proxy } = await startProxy(replay.url, { lanes: { backend: lane({ maxTurns: 3, spent: { turns: 1 } }) } });
    const anthropic = client(proxy, 'backend');
    await anthropic.messages.create(ask('backend'));
    await anthropic.messages.create(ask('backend'));
    const error = await failureOf(anthropic.messages.create(ask('backend')));
    expect(error?.status).toBe(400);
    expect(error?.message).toContain('nx-agent-lanes: lane backend reached its limit of 3 turns');
    expect(proxy.meter('backend')).toMatchObject({ turns: 2, refused: 1, stopped: { reason: 'turns' } });
  });

  it('lets one request past the budget when many are sent at once', async () => {
    const replay = await startReplay();
    const { proxy } = await startProxy(replay.url, { lanes: { backend: lane({ budgetUsd: 0.0001 }) } });
    const anthropic = client(proxy, 'backend');
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => anthropic.messages.create(ask('backend'))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && (r.reason as APIError).status === 400)).toHaveLength(3);
    expect(replay.stats().requests).toBe(1);
  });

  it('never passes maxTurns with concurrent requests allowed', async () => {
    const replay = await startReplay();
    const { proxy } = await startProxy(replay.url, { lanes: { backend: lane({ maxTurns: 2 }) }, concurrentRequestsPerLane: 4 });
    const anthropic = client(proxy, 'backend');
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map(() => anthropic.messages.create(ask('backend'))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(proxy.meter('backend')).toMatchObject({ turns: 2, refused: 3 });
  });

  it('stops every lane at the feature cap, naming what each lane spent', async () => {
    const replay = await startReplay();
    const { proxy } = await startProxy(replay.url, { featureBudgetUsd: 0.003, featureSpentUsd: 0.0005 });
    await client(proxy, 'backend').messages.create(ask('backend'));
    await client(proxy, 'docs').messages.create(ask('docs'));
    const error = await failureOf(client(proxy, 'backend').messages.create(ask('backend')));
    expect(error?.status).toBe(400);
    const { costUsd, byLane } = proxy.featureMeter();
    expect(costUsd).toBeCloseTo(0.0005 + byLane.backend + byLane.docs, 12);
    expect(error?.message).toContain(
      `the feature reached its budget of $0.0030 across lanes (spent $${costUsd.toFixed(4)}: backend $${byLane.backend.toFixed(4)}, docs $${byLane.docs.toFixed(4)}); lane backend stops here`,
    );
    expect(proxy.meter('docs')).toMatchObject({ turns: 1 });
    expect(proxy.meter('backend')).toMatchObject({ turns: 1, stopped: { reason: 'feature-budget' } });
  });
});

describe('startMeteringProxy: upstream errors and addresses', () => {
  it('passes a rate limit through with its retry-after, so the SDK retries it as it would the API', async () => {
    const replay = await startReplay([{ kind: 'rate-limit', retryAfterSeconds: 0.01, times: 2 }]);
    const { proxy } = await startProxy(replay.url);
    const message = await client(proxy, 'backend', { maxRetries: 2 }).messages.create(ask('backend'));
    expect(message.content[0]).toMatchObject({ text: 'Route written.' });
    expect(proxy.meter('backend')).toMatchObject({ requests: 3, turns: 1 });
    expect(replay.stats()).toMatchObject({ requests: 3, faultsInjected: 2 });
    expect(proxy.meter('backend').costUsd).toBeCloseTo(priceStats(replay.stats().usage), 12);
  });

  it('passes an upstream error through unchanged: status, type, message and request-id', async () => {
    const replay = await startReplay([{ kind: 'overloaded' }]);
    const { proxy } = await startProxy(replay.url);
    const error = await failureOf(client(proxy, 'backend').messages.create(ask('backend')));
    expect(error?.status).toBe(529);
    expect(error?.error).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded (replayed fault).' }, request_id: 'req_replay_1' });
    expect(error?.requestID).toBe('req_replay_1');
    expect(proxy.meter('backend')).toMatchObject({ requests: 1, turns: 0, costUsd: 0 });
  });

  it('refuses an unknown lane token and anything but the Messages API with a 404 API error', async () => {
    const replay = await startReplay();
    const { proxy, logs } = await startProxy(replay.url);
    const forged = new Anthropic({ apiKey: PLACEHOLDER_API_KEY, baseURL: `${proxy.origin}/lane/backend`, maxRetries: 2 });
    const error = await failureOf(forged.messages.create(ask('backend')));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error?.error).toMatchObject({ error: { type: 'not_found_error', message: expect.stringContaining('no lane is served at this address') } });
    const bare = await failureOf(new Anthropic({ apiKey: 'x', baseURL: proxy.origin, maxRetries: 0 }).messages.create(ask('backend')));
    expect(bare?.status).toBe(404);

    const models = await failureOf(client(proxy, 'backend').models.list());
    expect(models?.status).toBe(404);
    expect(models?.message).toContain('forwards only POST /v1/messages and POST /v1/messages/count_tokens, not GET /v1/models');
    expect(replay.stats().requests).toBe(0);
    expect(logs.join('\n')).not.toContain(proxy.pathFor('backend'));
  });

  it('answers the probe of a lane base URL that Claude Code sends before its first request', async () => {
    const replay = await startReplay();
    const { proxy } = await startProxy(replay.url);
    const response = await fetch(proxy.urlFor('docs'), { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(replay.stats().requests).toBe(0);
  });

  it('gives every lane its own unguessable address', async () => {
    const replay = await startReplay();
    const { proxy } = await startProxy(replay.url);
    const [a, b] = [proxy.urlFor('backend'), proxy.urlFor('docs')];
    expect(a).not.toBe(b);
    expect(a).toMatch(new RegExp(`^${proxy.origin}/lane/[A-Za-z0-9_-]{24}$`));
    expect(a).not.toContain('backend');
    proxy.addLane('web', lane());
    expect(proxy.urlFor('web')).not.toBe(a);
    expect(() => proxy.urlFor('nope')).toThrow('Lane nope is not served by this metering proxy (it serves: backend, docs, web).');
  });

  it('keeps the key from the client side and every log line, whatever key the client sent', async () => {
    const replay = await startReplay([{ kind: 'rate-limit', retryAfterSeconds: 0.01 }]);
    const { proxy, logs } = await startProxy(replay.url, { lanes: { backend: lane({ budgetUsd: 0.001 }) } });
    const capture = createCapturingFetch();
    const anthropic = client(proxy, 'backend', { maxRetries: 1, fetch: capture.fetch });
    await anthropic.messages.create(ask('backend'));
    await anthropic.messages.stream(ask('backend')).finalMessage().catch(() => undefined);
    const received = await capture.received();
    expect(received).toContain('Route written.');
    expect(received).toContain('reached its budget');
    expect(received).not.toContain(KEY);
    // SDK 1.13 sends its apiKey as `Authorization: Bearer`; either way, only the placeholder left the client.
    expect(capture.sentHeaders.map((headers) => headers.authorization)).toEqual([1, 2, 3].map(() => `Bearer ${PLACEHOLDER_API_KEY}`));
    expect(logs.length).toBeGreaterThan(2);
    expect(logs.join('\n')).not.toContain(KEY);
    expect(logs.join('\n')).not.toContain(proxy.pathFor('backend').slice('/lane/'.length));
  });
});
