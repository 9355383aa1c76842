import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { startMessagesApiServer, type MessagesApiServer, type MessagesApiServerOptions } from './messages-api-server';
import type { ReplayScript } from './script-types';

const MODEL = 'claude-sonnet-4-6';

const script: ReplayScript = {
  sessions: [
    {
      name: 'lane backend',
      match: { contains: 'Lane: backend' },
      turns: [
        {
          content: [
            { type: 'text', text: 'I will write the route.' },
            { type: 'tool_use', name: 'write_file', input: { path: 'api/export.ts', content: 'export const a = "x\\ny";', lines: [1, 2] } },
          ],
        },
        { content: [{ type: 'text', text: 'Done: the route is written and tested.' }] },
      ],
    },
    {
      name: 'lane-docs',
      match: { contains: ['Lane: docs'], notContains: 'DRAFT' },
      turns: [{ content: [{ type: 'text', text: 'Docs updated.' }], usage: { output_tokens: 42 } }],
    },
  ],
};

const servers: MessagesApiServer[] = [];
async function start(options: Partial<MessagesApiServerOptions> = {}): Promise<MessagesApiServer> {
  const server = await startMessagesApiServer({ script, ...options });
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function client(server: MessagesApiServer, maxRetries = 0): Anthropic {
  return new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries });
}

const ask = (lane: string, extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}) => ({
  model: MODEL,
  max_tokens: 1024,
  system: `You are a coding agent. Lane: ${lane}`,
  messages: [{ role: 'user' as const, content: 'Build the export feature.' }],
  ...extra,
});

describe('startMessagesApiServer: replies', () => {
  it('answers a non-streaming request with a Message', async () => {
    const server = await start();
    const message = await client(server).messages.create(ask('docs'));
    expect(message.type).toBe('message');
    expect(message.role).toBe('assistant');
    expect(message.model).toBe(MODEL);
    expect(message.content).toEqual([{ type: 'text', text: 'Docs updated.', citations: null }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBe(42);
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(server.stats()).toMatchObject({ requests: 1, bySession: { 'lane-docs': 1 }, unmatched: 0 });
  });

  it('streams a tool_use turn that the SDK reassembles intact, then answers the next turn', async () => {
    const server = await start();
    const anthropic = client(server);
    const stream = anthropic.messages.stream(ask('backend'));
    const deltas: string[] = [];
    stream.on('text', (text) => deltas.push(text));
    const first = await stream.finalMessage();
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('I will write the route.');
    expect(first.stop_reason).toBe('tool_use');
    const toolUse = first.content[1];
    expect(toolUse).toMatchObject({
      type: 'tool_use',
      id: 'toolu_lane_backend_0_1',
      name: 'write_file',
      input: { path: 'api/export.ts', content: 'export const a = "x\\ny";', lines: [1, 2] },
    });
    expect(first.usage.output_tokens).toBeGreaterThan(1);

    const second = await anthropic.messages.create({
      ...ask('backend'),
      messages: [
        { role: 'user', content: 'Build the export feature.' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_lane_backend_0_1', content: 'written' }] },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'Done: the route is written and tested.', citations: null }]);
    expect(server.stats().bySession).toEqual({ 'lane backend': 2 });
  });

  it('keeps a given tool_use id and an explicit stop_reason', async () => {
    const server = await start({
      script: {
        sessions: [
          {
            name: 's',
            match: {},
            turns: [{ content: [{ type: 'tool_use', id: 'toolu_fixed', name: 'ask', input: {} }], stop_reason: 'pause_turn' }],
          },
        ],
      },
    });
    const message = await client(server).messages.stream(ask('any')).finalMessage();
    expect(message.content[0]).toMatchObject({ type: 'tool_use', id: 'toolu_fixed', input: {} });
    expect(message.stop_reason).toBe('pause_turn');
  });

  it('applies notContains when choosing the session', async () => {
    const server = await start();
    const error = await client(server)
      .messages.create(ask('docs', { messages: [{ role: 'user', content: 'DRAFT only' }] }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(server.stats().unmatched).toBe(1);
  });

  it('explains an unmatched request and a turn past the script, naming the sessions', async () => {
    const server = await start();
    const anthropic = client(server);
    const none = await anthropic.messages.create(ask('frontend')).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(APIError);
    expect((none as APIError).status).toBe(400);
    expect((none as APIError).message).toContain('No replay session matches this request');
    expect((none as APIError).message).toContain("Sessions: 'lane backend', 'lane-docs'.");

    const past = await anthropic.messages
      .create(
        ask('docs', {
          messages: [
            { role: 'user', content: 'go' },
            { role: 'assistant', content: 'ok' },
            { role: 'user', content: 'more' },
          ],
        }),
      )
      .catch((e: unknown) => e);
    expect((past as APIError).status).toBe(400);
    expect((past as APIError).message).toContain("Replay session 'lane-docs' has 1 scripted turn(s)");
    expect((past as APIError).message).toContain('turn index 1');
    expect(server.stats().unmatched).toBe(2);
  });

  it('counts tokens consistently with the usage it reports', async () => {
    const server = await start();
    const anthropic = client(server);
    const { max_tokens: _unused, ...params } = ask('docs');
    const short = await anthropic.messages.countTokens(params);
    const long = await anthropic.messages.countTokens({ ...params, system: params.system + ' '.repeat(400) });
    expect(long.input_tokens).toBe(short.input_tokens + 100);
    const message = await anthropic.messages.create(ask('docs'));
    expect(message.usage.input_tokens).toBe(short.input_tokens);
  });
});

describe('startMessagesApiServer: prompt caching', () => {
  const bigSystem = (n: number) => [
    { type: 'text' as const, text: 'Contract. '.repeat(n), cache_control: { type: 'ephemeral' as const } },
  ];

  it('writes a cacheable prefix once, then reads it', async () => {
    const server = await start();
    const anthropic = client(server);
    const params = ask('docs', { system: [...bigSystem(600), { type: 'text', text: 'Lane: docs' }] });
    const first = await anthropic.messages.create(params);
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThanOrEqual(1024);
    expect(first.usage.cache_read_input_tokens).toBe(0);
    expect(first.usage.cache_creation?.ephemeral_5m_input_tokens).toBe(first.usage.cache_creation_input_tokens);

    const second = await anthropic.messages.stream(params).finalMessage();
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
    expect(second.usage.input_tokens).toBe(first.usage.input_tokens);
    const total = await anthropic.messages.countTokens({ model: MODEL, system: params.system, messages: params.messages });
    expect(second.usage.input_tokens + second.usage.cache_read_input_tokens!).toBe(total.input_tokens);
    expect(server.stats().usage.cache_read_input_tokens).toBe(second.usage.cache_read_input_tokens);
  });

  it('caches nothing below the minimum prefix length', async () => {
    const server = await start();
    const params = ask('docs', { system: [...bigSystem(20), { type: 'text', text: 'Lane: docs' }] });
    const anthropic = client(server);
    await anthropic.messages.create(params);
    const again = await anthropic.messages.create(params);
    expect(again.usage.cache_creation_input_tokens).toBe(0);
    expect(again.usage.cache_read_input_tokens).toBe(0);
  });

  it('honours minCacheableTokens and forgets the cache on reset()', async () => {
    const server = await start({ minCacheableTokens: 10 });
    const params = ask('docs', { system: [...bigSystem(20), { type: 'text', text: 'Lane: docs' }] });
    const anthropic = client(server);
    expect((await anthropic.messages.create(params)).usage.cache_creation_input_tokens).toBeGreaterThan(0);
    expect((await anthropic.messages.create(params)).usage.cache_read_input_tokens).toBeGreaterThan(0);
    server.reset();
    expect(server.stats().requests).toBe(0);
    expect((await anthropic.messages.create(params)).usage.cache_read_input_tokens).toBe(0);
  });

  it('rejects more than four breakpoints, as the API does', async () => {
    const server = await start();
    const system = Array.from({ length: 5 }, (_, i) => ({
      type: 'text' as const,
      text: `Lane: docs ${i}`,
      cache_control: { type: 'ephemeral' as const },
    }));
    const error = await client(server).messages.create(ask('docs', { system })).catch((e: unknown) => e);
    expect((error as APIError).status).toBe(400);
    expect((error as APIError).message).toContain('Found 5');
  });
});

describe('startMessagesApiServer: HTTP surface', () => {
  it('answers 401 without an api key, like the API', async () => {
    const server = await start();
    const response = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ask('docs')),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it('answers 404 in the API error shape for other paths', async () => {
    const server = await start();
    const response = await fetch(`${server.url}/v1/models`, { headers: { 'x-api-key': 'k' } });
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { message: string } };
    expect(body).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    expect(body.error.message).toContain('/v1/models');
  });

  it('refuses to start on an invalid script', async () => {
    await expect(
      startMessagesApiServer({ script: { sessions: [{ name: '', match: {}, turns: [] }] } }),
    ).rejects.toThrow(/sessions\.0\.name: A session needs a non-empty string "name"/);
  });
});
