import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { loadReplayScript } from './load-replay-script';
import { startMessagesApiServer, type MessagesApiServer } from './messages-api-server';
import { startRecordingProxy, type RecordingProxy } from './record-session';
import type { ReplayScript, ScriptedSession } from './script-types';

const original: ReplayScript = {
  sessions: [
    {
      name: 'backend',
      match: { contains: 'Lane: backend' },
      turns: [
        { content: [{ type: 'tool_use', name: 'read_file', input: { path: 'contract.md' } }] },
        {
          content: [
            { type: 'text', text: 'Writing the route.' },
            { type: 'tool_use', name: 'write_file', input: { path: 'export.ts', content: 'export const csv = "a,b\\n";' } },
          ],
        },
        { content: [{ type: 'text', text: 'Backend done.' }], usage: { output_tokens: 9 } },
      ],
    },
    {
      name: 'docs',
      match: { contains: 'Lane: docs' },
      turns: [{ content: [{ type: 'text', text: 'Docs done.' }], stop_reason: 'end_turn' }],
    },
  ],
};

const SECRET = 'fake-secret-key-123';
const closers: Array<{ close(): Promise<void> }> = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function serve(script: ReplayScript): Promise<MessagesApiServer> {
  const server = await startMessagesApiServer({ script });
  closers.push(server);
  return server;
}

/** Runs one lane's agent loop to its end and returns every assistant turn's content. */
async function runLane(baseURL: string, lane: string, stream: boolean): Promise<unknown[]> {
  const anthropic = new Anthropic({ apiKey: SECRET, baseURL, maxRetries: 0 });
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: `Start. Your key is ${SECRET}.` }];
  const turns: unknown[] = [];
  for (let turn = 0; turn < 5; turn++) {
    const params = {
      model: 'claude-haiku-4-5',
      max_tokens: 512,
      system: `You are an agent. Lane: ${lane}`,
      messages,
    };
    const message = stream
      ? await anthropic.messages.stream(params).finalMessage()
      : await anthropic.messages.create(params);
    turns.push(message.content);
    if (message.stop_reason !== 'tool_use') break;
    messages.push({ role: 'assistant', content: message.content });
    messages.push({
      role: 'user',
      content: message.content
        .filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')
        .map((b) => ({ type: 'tool_result' as const, tool_use_id: b.id, content: 'ok' })),
    });
  }
  return turns;
}

describe('startRecordingProxy', () => {
  it('records sessions from one server that replay identically on another, without the key', async () => {
    const upstream = await serve(original);
    const seen: ScriptedSession[] = [];
    const proxy: RecordingProxy = await startRecordingProxy({ upstream: upstream.url, onSession: (s) => seen.push(s) });
    closers.push(proxy);

    const viaProxy = {
      backend: await runLane(proxy.url, 'backend', true),
      docs: await runLane(proxy.url, 'docs', false),
    };
    expect(viaProxy.backend).toHaveLength(3);
    expect(seen.map((s) => s.turns.length)).toEqual([1, 2, 3, 1]);

    const script = proxy.toReplayScript();
    const text = JSON.stringify(script);
    expect(text).not.toContain(SECRET);
    expect(JSON.stringify(proxy.exchanges())).not.toContain(SECRET);
    expect(script.sessions.map((s) => s.match)).toEqual([
      { contains: 'You are an agent. Lane: backend' },
      { contains: 'You are an agent. Lane: docs' },
    ]);
    expect(script.sessions[0].turns[2]).toEqual({
      content: [{ type: 'text', text: 'Backend done.' }],
      stop_reason: 'end_turn',
      usage: { output_tokens: 9 },
    });

    // Through a file, as the CLI does, then on a fresh server.
    const dir = mkdtempSync(join(tmpdir(), 'replay-record-'));
    dirs.push(dir);
    const file = join(dir, 'script.json');
    writeFileSync(file, JSON.stringify(script, null, 2));
    const replay = await serve(loadReplayScript(file));
    expect({
      backend: await runLane(replay.url, 'backend', false),
      docs: await runLane(replay.url, 'docs', true),
    }).toEqual(viaProxy);
    expect(readFileSync(file, 'utf8')).not.toContain(SECRET);
    expect(replay.stats()).toMatchObject({ unmatched: 0, bySession: { 'session-1': 3, 'session-2': 1 } });
  });

  it('fills turns it did not see answered from the history a later request carries', async () => {
    const upstream = await serve(original);
    const anthropic = new Anthropic({ apiKey: 'k', baseURL: upstream.url, maxRetries: 0 });
    const system = 'You are an agent. Lane: backend';
    const first = await anthropic.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      system,
      messages: [{ role: 'user', content: 'go' }],
    });
    const proxy = await startRecordingProxy({ upstream: upstream.url });
    closers.push(proxy);
    const toolUse = first.content[0] as Anthropic.ToolUseBlock;
    await new Anthropic({ apiKey: 'k', baseURL: proxy.url, maxRetries: 0 }).messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      system,
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: 'the contract' }] },
      ],
    });
    const [session] = proxy.toReplayScript().sessions;
    expect(session.turns).toHaveLength(2);
    expect(session.turns[0].content).toEqual([{ type: 'tool_use', id: toolUse.id, name: 'read_file', input: { path: 'contract.md' } }]);
    expect(session.turns[1].content[0]).toEqual({ type: 'text', text: 'Writing the route.' });
  });

  it('sends its own key upstream when given one, and forwards errors unrecorded', async () => {
    const upstream = await serve(original);
    const post = (url: string) =>
      fetch(`${url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', max_tokens: 8, system: 'Lane: docs', messages: [{ role: 'user', content: 'hi' }] }),
      });
    const withKey = await startRecordingProxy({ upstream: upstream.url, apiKey: 'proxy-held-key' });
    const withoutKey = await startRecordingProxy({ upstream: upstream.url });
    closers.push(withKey, withoutKey);
    expect((await post(withKey.url)).status).toBe(200);
    const refused = await post(withoutKey.url);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { type: 'authentication_error' } });
    expect(withoutKey.exchanges()).toEqual([]);
    expect(JSON.stringify(withKey.exchanges())).not.toContain('proxy-held-key');
    expect(withKey.exchanges()).toHaveLength(1);
  });

  it('answers 502 in the API error shape when the upstream is unreachable', async () => {
    const gone = await startMessagesApiServer({ script: original });
    const url = gone.url;
    await gone.close();
    const proxy = await startRecordingProxy({ upstream: url });
    closers.push(proxy);
    const response = await fetch(`${proxy.url}/v1/messages`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'api_error' } });
  });
});
