import Anthropic from '@anthropic-ai/sdk';
import { assembleStreamedMessage, parseSseText } from './assemble-streamed-message';
import { buildMessage } from './build-message';
import { startMessagesApiServer, type MessagesApiServer } from './messages-api-server';
import { formatSseEvent, planStreamEvents } from './plan-stream-events';
import { startRecordingProxy } from './record-session';
import type { ReplayScript } from './script-types';
import { signThinking } from './sign-thinking';
import { validateReplayScript } from './validate-replay-script';

/* Thinking blocks, as the 5.x models return them between tool calls, in scripts, streams and recordings. */

const MODEL = 'claude-sonnet-5-5';
const script: ReplayScript = {
  sessions: [
    {
      name: 'backend',
      match: { contains: 'Lane: backend' },
      turns: [
        {
          content: [
            { type: 'thinking', thinking: 'The contract says CSV; I read it first.' },
            { type: 'tool_use', name: 'read_file', input: { path: 'contract.md' } },
          ],
        },
        {
          content: [
            { type: 'thinking', thinking: 'Now the route.', signature: 'recorded-signature-1' },
            { type: 'tool_use', name: 'write_file', input: { path: 'export.ts', content: 'x' } },
          ],
        },
        { content: [{ type: 'text', text: 'Backend done.' }] },
      ],
    },
  ],
};
const usage = { input_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 } };

const closers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c.close()));
});
async function serve(replay: ReplayScript = script): Promise<MessagesApiServer> {
  const server = await startMessagesApiServer({ script: replay });
  closers.push(server);
  return server;
}
const params = (messages: Anthropic.MessageParam[], model = MODEL) => ({ model, max_tokens: 512, system: 'Agent. Lane: backend', messages });
const task: Anthropic.MessageParam = { role: 'user', content: 'Build the export route.' };

/** The conversation after the first turn, its tool call answered. */
function afterFirstTurn(first: Anthropic.Message): Anthropic.MessageParam[] {
  const call = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')!;
  return [task, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'ok' }] }];
}

describe('thinking blocks in replay', () => {
  it('streams a thinking block as the API does, and the SDK reassembles it with a stable signature', async () => {
    const message = buildMessage({ sessionName: 'backend', turnIndex: 0, turn: script.sessions[0].turns[0], model: MODEL, inputUsage: usage });
    const events = planStreamEvents(message);
    expect(events.map((e) => (e.data as { delta?: { type: string } }).delta?.type ?? e.event).slice(1, 7)).toEqual([
      'content_block_start', 'ping', 'thinking_delta', 'thinking_delta', 'thinking_delta', 'signature_delta',
    ]);
    expect(events[1].data).toMatchObject({ content_block: { type: 'thinking', thinking: '', signature: '' } });
    expect(assembleStreamedMessage(parseSseText(events.map(formatSseEvent).join('')))?.content).toEqual(message.content);

    const server = await serve();
    const anthropic = new Anthropic({ apiKey: 'k', baseURL: server.url, maxRetries: 0 });
    const thinking: string[] = [];
    const stream = anthropic.messages.stream(params([task]));
    stream.on('thinking', (delta) => thinking.push(delta));
    const streamed = await stream.finalMessage();
    const created = await anthropic.messages.create(params([task]));
    const signature = signThinking({ model: MODEL, sessionName: 'backend', thinking: 'The contract says CSV; I read it first.' });
    expect(streamed.content[0]).toEqual({ type: 'thinking', thinking: 'The contract says CSV; I read it first.', signature });
    expect(created.content).toEqual(streamed.content);
    expect(thinking.join('')).toBe('The contract says CSV; I read it first.');
    expect(streamed.usage.output_tokens).toBeGreaterThan(10);
  });

  it('accepts a thinking block sent back unchanged, and refuses one changed, unsigned or sent to another model', async () => {
    const server = await serve();
    const anthropic = new Anthropic({ apiKey: 'k', baseURL: server.url, maxRetries: 0 });
    const first = await anthropic.messages.create(params([task]));
    const second = await anthropic.messages.create(params(afterFirstTurn(first)));
    expect(second.content[0]).toEqual({ type: 'thinking', thinking: 'Now the route.', signature: 'recorded-signature-1' });

    const block = first.content[0] as Anthropic.ThinkingBlock;
    const withBlock = (changed: Record<string, unknown>) => {
      const messages = afterFirstTurn(first);
      messages[1] = { role: 'assistant', content: [changed as unknown as Anthropic.ThinkingBlockParam, ...first.content.slice(1)] };
      return messages;
    };
    const refusals = [
      withBlock({ ...block, thinking: `${block.thinking} (edited)` }),
      withBlock({ type: 'thinking', thinking: block.thinking }),
      withBlock({ ...block, signature: 'made-up' }),
    ].map((messages) => anthropic.messages.create(params(messages)).catch((error: unknown) => error));
    refusals.push(anthropic.messages.create(params(afterFirstTurn(first), 'claude-opus-5-5')).catch((error: unknown) => error));
    for (const refusal of await Promise.all(refusals)) {
      expect(refusal).toBeInstanceOf(Anthropic.BadRequestError);
      expect((refusal as InstanceType<typeof Anthropic.BadRequestError>).message).toMatch(/messages\.1\.content\.0: Invalid `signature` in `thinking` block/);
    }
  });

  it('checks thinking blocks in a script', () => {
    const bad = {
      sessions: [{ name: 's', match: {}, turns: [{ content: [{ type: 'thinking' }, { type: 'thinking', thinking: 'x', signature: '' }, { type: 'redacted' }] }] }],
    };
    expect(validateReplayScript(bad).map((p) => `${p.path.join('.')}: ${p.message}`)).toEqual([
      'sessions.0.turns.0.content.0.thinking: A thinking block needs a string "thinking".',
      'sessions.0.turns.0.content.1.signature: A thinking "signature" must be a non-empty string (or be left out to get a stable one).',
      'sessions.0.turns.0.content.2.type: A content block\'s "type" must be "text", "thinking" or "tool_use".',
    ]);
  });

  it('records thinking blocks with their signatures, and the recording replays under its own session names', async () => {
    const upstream = await serve();
    const proxy = await startRecordingProxy({ upstream: upstream.url });
    closers.push(proxy);
    const run = async (baseURL: string, stream: boolean) => {
      const anthropic = new Anthropic({ apiKey: 'k', baseURL, maxRetries: 0 });
      const messages: Anthropic.MessageParam[] = [task];
      const turns: Anthropic.ContentBlock[][] = [];
      for (let turn = 0; turn < 3; turn++) {
        const message = stream ? await anthropic.messages.stream(params(messages)).finalMessage() : await anthropic.messages.create(params(messages));
        turns.push(message.content);
        if (message.stop_reason !== 'tool_use') break;
        const calls = message.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
        messages.push({ role: 'assistant', content: message.content });
        messages.push({ role: 'user', content: calls.map((c) => ({ type: 'tool_result' as const, tool_use_id: c.id, content: 'ok' })) });
      }
      return turns;
    };
    const recorded = await run(proxy.url, true);
    const replayScript = proxy.toReplayScript();
    expect(replayScript.sessions[0].name).toBe('session-1');
    expect(replayScript.sessions[0].turns[0].content[0]).toEqual(recorded[0][0]);
    const replay = await serve(replayScript);
    expect(await run(replay.url, false)).toEqual(recorded);
    expect(replay.stats()).toMatchObject({ unmatched: 0, bySession: { 'session-1': 3 } });
  });
});
