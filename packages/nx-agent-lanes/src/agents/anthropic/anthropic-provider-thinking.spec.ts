import Anthropic from '@anthropic-ai/sdk';
import { DEFAULT_MODEL } from '../../feature/default-agent';
import { startMessagesApiServer, type MessagesApiServer } from '../../replay/messages-api-server';
import type { ScriptedBlock, ScriptedResponse } from '../../replay/script-types';
import { signThinking } from '../../replay/sign-thinking';
import { buildRunInput, createTempTree, readState, removeTempDirs, type Recorder } from './__fixtures__/lane-fixture';
import { createAnthropicProvider } from './anthropic-provider';
import type { AnthropicRunInput } from './anthropic-provider';

/*
 * The 5.5 behaviour (PRODUCT.md, measured facts): no forced tool use, the text between tool calls
 * comes back as thinking blocks, and a thinking block is bound to the model and the conversation.
 * The replay server refuses a thinking block sent back changed, as the API does.
 */

const servers: MessagesApiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await removeTempDirs();
});

const thinking = (text: string, signature?: string): ScriptedBlock => ({ type: 'thinking', thinking: text, ...(signature ? { signature } : {}) });
const tool = (name: string, input: unknown): ScriptedBlock => ({ type: 'tool_use', name, input });
let scenarios = 0;

interface ThinkingRun {
  result: Awaited<ReturnType<ReturnType<typeof createAnthropicProvider>['run']>>;
  recorder: Recorder;
  server: MessagesApiServer;
  /** Every request body the SDK sent, in order. */
  requests: Array<Record<string, unknown>>;
}

/** Runs the provider on the default model, with the real SDK, against a loopback server replaying `turns`. */
async function runThinking(options: { worktree: string; turns: ScriptedResponse[]; scenario?: string; extra?: Partial<AnthropicRunInput> }): Promise<ThinkingRun> {
  const scenario = options.scenario ?? `thinking-${++scenarios}`;
  const server = await startMessagesApiServer({ script: { sessions: [{ name: scenario, match: { contains: `SCENARIO: ${scenario}` }, turns: options.turns }] } });
  servers.push(server);
  const requests: Array<Record<string, unknown>> = [];
  const client = new Anthropic({
    apiKey: 'test-key',
    baseURL: server.url,
    maxRetries: 0,
    fetch: async (url: string | URL | Request, init?: RequestInit) => {
      if (typeof init?.body === 'string') requests.push(JSON.parse(init.body) as Record<string, unknown>);
      return fetch(url, init);
    },
  });
  const { input, recorder } = buildRunInput({ worktree: options.worktree, scenario, agent: { model: DEFAULT_MODEL }, extra: options.extra });
  const result = await createAnthropicProvider({ client }).run(input);
  return { result, recorder, server, requests };
}

const assistantContent = (request: Record<string, unknown>, index: number) =>
  (request.messages as Anthropic.MessageParam[]).filter((m) => m.role === 'assistant')[index].content;

describe('anthropic provider: thinking blocks between tool calls (5.5 models)', () => {
  const FIRST = 'The module first, then its test.';
  const SECOND = 'Written; now I run the tests to see them pass.';
  const turns: ScriptedResponse[] = [
    { content: [thinking(FIRST), tool('write_file', { path: 'src/sum.js', content: 'module.exports = (a, b) => a + b;\n' })] },
    { content: [thinking(SECOND, 'sig-from-a-recorded-session'), tool('run_tests', {})] },
    { content: [thinking('Green. Finishing without a summary.'), tool('finish', { summary: '' })] },
  ];

  it('sends every thinking block back unchanged, signature included, and never forces tool use', async () => {
    const worktree = await createTempTree();
    const { result, recorder, server, requests } = await runThinking({ worktree, turns });
    expect(result).toMatchObject({ status: 'done', turns: 3 });
    expect(server.stats()).toMatchObject({ unmatched: 0, requests: 3 });
    expect(requests).toHaveLength(3);

    const first = { type: 'thinking', thinking: FIRST, signature: signThinking({ model: DEFAULT_MODEL, sessionName: 'thinking-1', thinking: FIRST }) };
    expect(assistantContent(requests[1], 0)).toEqual([first, expect.objectContaining({ type: 'tool_use', name: 'write_file' })]);
    expect(assistantContent(requests[2], 0)).toEqual(assistantContent(requests[1], 0));
    expect(assistantContent(requests[2], 1)).toEqual([
      { type: 'thinking', thinking: SECOND, signature: 'sig-from-a-recorded-session' },
      expect.objectContaining({ type: 'tool_use', name: 'run_tests' }),
    ]);
    for (const request of requests) {
      expect(request.model).toBe('claude-sonnet-5-5');
      expect(request).not.toHaveProperty('tool_choice');
    }
    expect(readState(recorder)[1].content).toEqual(assistantContent(requests[1], 0));
  });

  it('shows a thinking excerpt in the progress line, and never takes thinking as the summary', async () => {
    const worktree = await createTempTree();
    const { result, recorder } = await runThinking({ worktree, turns });
    expect(result.summary).toBeUndefined();
    const lines = recorder.lines.filter((line) => line.startsWith('turn '));
    expect(lines[0]).toMatch(/^turn 1\/40 · 1 tool call \(write_file src\/sum.js\) · .* · thinking: "The module first, then its test\."$/);
    expect(lines[1]).toMatch(/ · thinking: "Written; now I run the tests to see them pass\."$/);

    const onlyThinking = await runThinking({ worktree, turns: [{ content: [thinking('Just pondering.')] }, { content: [thinking('Still pondering.')] }] });
    expect(onlyThinking.result).toMatchObject({ status: 'done', turns: 2 });
    expect(onlyThinking.result.summary).toBeUndefined();
  });

  it('resumes a blocked conversation with its thinking blocks as they came', async () => {
    const worktree = await createTempTree();
    const WHY = 'The contract does not say which time zone.';
    const blockerTurns: ScriptedResponse[] = [
      { content: [thinking(WHY), tool('report_blocker', { question: 'UTC or local?' })] },
      { content: [thinking('UTC then.'), tool('finish', { summary: 'used UTC' })] },
    ];
    const blocked = await runThinking({ worktree, turns: blockerTurns, scenario: 'thinking-resume' });
    expect(blocked.result).toMatchObject({ status: 'blocked', question: 'UTC or local?' });
    // As run-lane reads it back: a JSON line of transcript.jsonl.
    const saved = JSON.parse(JSON.stringify(readState(blocked.recorder))) as Anthropic.MessageParam[];
    const resumed = await runThinking({ worktree, turns: blockerTurns, scenario: 'thinking-resume', extra: { resume: { messages: saved }, answer: 'UTC' } });
    expect(resumed.result).toMatchObject({ status: 'done', summary: 'used UTC', turns: 1 });
    expect(resumed.server.stats()).toMatchObject({ unmatched: 0, requests: 1 });
    expect(assistantContent(resumed.requests[0], 0)).toEqual([
      { type: 'thinking', thinking: WHY, signature: signThinking({ model: DEFAULT_MODEL, sessionName: 'thinking-resume', thinking: WHY }) },
      expect.objectContaining({ type: 'tool_use', name: 'report_blocker' }),
    ]);
  });

  it('fails the lane, without retrying, when the API refuses a thinking block that was changed', async () => {
    const worktree = await createTempTree();
    const blockerTurns: ScriptedResponse[] = [
      { content: [thinking('Original reasoning.'), tool('report_blocker', { question: 'Q?' })] },
      { content: [tool('finish', { summary: 'x' })] },
    ];
    const blocked = await runThinking({ worktree, turns: blockerTurns, scenario: 'thinking-tampered' });
    const saved = JSON.parse(JSON.stringify(readState(blocked.recorder)).replace('Original reasoning.', 'Edited reasoning.')) as Anthropic.MessageParam[];
    const resumed = await runThinking({ worktree, turns: blockerTurns, scenario: 'thinking-tampered', extra: { resume: { messages: saved }, answer: 'A' } });
    expect(resumed.result).toMatchObject({ status: 'failed', reason: expect.stringMatching(/refused the request: 400 invalid_request_error: .*Invalid `signature` in `thinking` block/) });
    expect(resumed.requests).toHaveLength(1);
  });
});
