import { existsSync } from 'node:fs';
import { symlink } from 'node:fs/promises';
import * as path from 'node:path';
import { AgentError } from '../../errors';
import { startMessagesApiServer } from '../../replay/messages-api-server';
import type { ScriptedResponse } from '../../replay/script-types';
import {
  buildRunInput,
  createTempTree,
  findUnansweredToolUses,
  readState,
  readToolResults,
  readTree,
  removeTempDirs,
} from './__fixtures__/lane-fixture';
import { closeServers, text, tool, runReplay, SUM_TEST, SUM_TEST_COMMAND, SUM_TURNS, TEST_API_KEY } from './__fixtures__/replay-run';
import { createAnthropicProvider } from './anthropic-provider';
import { priceUsage } from './pricing';

afterEach(async () => {
  await closeServers();
  await removeTempDirs();
});



describe('anthropic provider: a lane that works', () => {
  it('writes, tests, fixes and finishes: done, files on disk, usage and cost counted', async () => {
    const worktree = await createTempTree({ 'README.md': 'readme' });
    const { result, recorder, server } = await runReplay({ worktree, turns: SUM_TURNS, testCommand: SUM_TEST_COMMAND });
    expect(result).toMatchObject({ status: 'done', summary: 'Added src/sum.js with its test.', turns: 5 });
    expect(await readTree(worktree)).toEqual({
      'README.md': 'readme',
      'src/sum.js': 'module.exports = (a, b) => a + b;\n',
      'src/sum.test.js': SUM_TEST,
    });
    const tests = readToolResults(recorder).filter((r) => r.name === 'run_tests');
    expect(tests.map((r) => r.content.split('\n')[0])).toEqual([
      'Tests FAILED (exit code 1). `node src/sum.test.js`',
      'Tests passed (exit code 0). `node src/sum.test.js`',
    ]);
    expect(tests[0].content).toContain('expected 5, got -1');
    const served = server.stats().usage;
    expect(result.usage).toEqual({
      input: served.input_tokens,
      output: served.output_tokens,
      cacheRead: served.cache_read_input_tokens,
      cacheWrite: served.cache_creation_input_tokens,
    });
    expect(result.costUsd).toBeCloseTo(priceUsage('claude-sonnet-4-6', result.usage, { 'claude-sonnet-4-6': { input: 3, output: 15 } }), 10);
    expect(recorder.lines[0]).toMatch(/^turn 1\/40 · 2 tool calls \(write_file src\/sum.js, write_file src\/sum.test.js\) · in \S+ \(cache read \S+\) out \d+ · \$[\d.]+ of \$2.00$/);
    expect(recorder.lines.filter((l) => l.startsWith('turn '))).toHaveLength(5);
    const state = readState(recorder);
    expect(state).toHaveLength(11);
    expect(findUnansweredToolUses(state)).toEqual([]);
    expect(recorder.events.filter((e) => e.type === 'request').map((e) => e.turn)).toEqual([1, 2, 3, 4, 5]);
    expect(JSON.stringify(recorder)).not.toContain(TEST_API_KEY);
  });

  it('refuses every ownership escape as an is_error result and keeps going', async () => {
    const outside = await createTempTree({ 'secret.txt': 'outside secret' });
    const worktree = await createTempTree({ 'README.md': 'readme', '.git/config': '[core]', 'web/app.ts': 'web', 'src/secret.ts': 'keep' });
    await symlink(outside, path.join(worktree, 'src/link'));
    const escapes = [
      tool('write_file', { path: '../escape.txt', content: 'x' }),
      tool('write_file', { path: path.join(outside, 'abs.txt'), content: 'x' }),
      tool('write_file', { path: 'src/link/evil.txt', content: 'x' }),
      tool('write_file', { path: '.git/config', content: 'x' }),
      tool('write_file', { path: 'node_modules/x/index.js', content: 'x' }),
      tool('write_file', { path: 'src/secret.ts', content: 'x' }),
      tool('write_file', { path: 'web/app.ts', content: 'x' }),
      tool('delete_file', { path: 'README.md' }),
      tool('read_file', { path: '../../etc/passwd' }),
      tool('read_file', { path: 'src/link/secret.txt' }),
      tool('bash', { command: 'echo hacked > README.md' }),
    ];
    const { result, recorder } = await runReplay({
      worktree,
      forbids: ['src/secret.ts'],
      otherLanes: [{ name: 'web', owns: ['web/**'] }],
      turns: [
        { content: escapes },
        { content: [tool('write_file', { path: 'src/ok.ts', content: 'ok' }), tool('finish', { summary: 'ok' })] },
      ],
    });
    expect(result.status).toBe('done');
    const [first, ...rest] = [readToolResults(recorder).filter((r) => r.turn === 1), readToolResults(recorder).filter((r) => r.turn === 2)];
    expect(first.map((r) => r.is_error)).toEqual(escapes.map(() => true));
    expect(first.map((r) => r.content)).toEqual([
      expect.stringMatching(/leaves the worktree/),
      expect.stringMatching(/absolute path/),
      expect.stringMatching(/symbolic link.*outside the worktree/),
      expect.stringMatching(/\.git or node_modules/),
      expect.stringMatching(/\.git or node_modules/),
      expect.stringMatching(/forbidden to lane `backend`/),
      expect.stringMatching(/belongs to lane `web`/),
      expect.stringMatching(/not owned by lane `backend`/),
      expect.stringMatching(/leaves the worktree/),
      expect.stringMatching(/outside the worktree/),
      expect.stringMatching(/no tool `bash`/),
    ]);
    expect(rest[0].map((r) => r.is_error)).toEqual([false, false]);
    expect(await readTree(worktree)).toEqual({
      'README.md': 'readme',
      '.git/config': '[core]',
      'web/app.ts': 'web',
      'src/secret.ts': 'keep',
      'src/ok.ts': 'ok',
    });
    expect(await readTree(outside)).toEqual({ 'secret.txt': 'outside secret' });
    expect(JSON.stringify(recorder.events)).not.toContain('outside secret');
  });
});

describe('anthropic provider: blockers', () => {
  const QUESTION = 'UTC or local time in the CSV?';
  const blockerTurns: ScriptedResponse[] = [
    { content: [text('One question first.'), tool('write_file', { path: 'src/a.ts', content: 'a' }), tool('report_blocker', { question: QUESTION })] },
    { content: [tool('write_file', { path: 'src/b.ts', content: 'b' }), tool('finish', { summary: 'used UTC' })] },
  ];

  it('stops blocked with the question, saving the conversation to resume', async () => {
    const worktree = await createTempTree();
    const { result, recorder, server } = await runReplay({ worktree, turns: blockerTurns });
    expect(result).toMatchObject({ status: 'blocked', question: QUESTION, turns: 1 });
    expect(server.stats().requests).toBe(1);
    expect(await readTree(worktree)).toEqual({ 'src/a.ts': 'a' });
    const state = readState(recorder);
    expect(state.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('resumes from the saved messages with the answer as the blocker result', async () => {
    const worktree = await createTempTree();
    const blocked = await runReplay({ worktree, turns: blockerTurns, scenario: 'resume' });
    const resumed = await runReplay({
      worktree,
      turns: blockerTurns,
      scenario: 'resume',
      extra: { resume: { messages: readState(blocked.recorder) }, answer: 'UTC, with an explicit column header' },
    });
    expect(resumed.result).toMatchObject({ status: 'done', summary: 'used UTC', turns: 1 });
    const state = readState(resumed.recorder);
    expect(findUnansweredToolUses(state)).toEqual([]);
    expect(JSON.stringify(state[2])).toContain('A person answered your question: UTC, with an explicit column header');
    expect(await readTree(worktree)).toEqual({ 'src/a.ts': 'a', 'src/b.ts': 'b' });
  });

  it('asks onBlocker and, answered, goes on in place to done', async () => {
    const worktree = await createTempTree();
    const asked: string[] = [];
    const onBlocker = async (question: string) => {
      asked.push(question);
      return 'UTC';
    };
    const { result, recorder } = await runReplay({ worktree, turns: blockerTurns, extra: { onBlocker } });
    expect(asked).toEqual([QUESTION]);
    expect(result).toMatchObject({ status: 'done', turns: 2 });
    const state = readState(recorder);
    expect(findUnansweredToolUses(state)).toEqual([]);
    expect(state[2].content).toEqual([
      expect.objectContaining({ type: 'tool_result', content: 'Created src/a.ts (1 bytes).' }),
      expect.objectContaining({ type: 'tool_result', content: 'A person answered your question: UTC' }),
    ]);
  });

  it('does not count the time a person takes to answer against timeoutMinutes', async () => {
    const worktree = await createTempTree();
    let clock = 0;
    const onBlocker = async () => {
      clock += 10 * 60_000;
      return 'UTC';
    };
    const { result } = await runReplay({ worktree, turns: blockerTurns, agent: { timeoutMinutes: 1 }, deps: { now: () => clock }, extra: { onBlocker } });
    expect(result).toMatchObject({ status: 'done', turns: 2 });
  });

  it('ends blocked when onBlocker has no answer', async () => {
    const worktree = await createTempTree();
    const { result } = await runReplay({ worktree, turns: blockerTurns, extra: { onBlocker: async () => undefined } });
    expect(result).toMatchObject({ status: 'blocked', question: QUESTION });
  });
});

describe('anthropic provider: limits', () => {
  const endless: ScriptedResponse[] = Array.from({ length: 30 }, (_, i) => ({ content: [tool('list_files', { glob: `**/${i}` })] }));

  it('stops at maxTurns as over-budget', async () => {
    const worktree = await createTempTree();
    const { result, server } = await runReplay({ worktree, turns: endless, agent: { maxTurns: 3 } });
    expect(result).toMatchObject({ status: 'over-budget', turns: 3, reason: expect.stringMatching(/limit of 3 turns \(agent.maxTurns\)/) });
    expect(server.stats().requests).toBe(3);
  });

  it('stops once the budget is spent, overshooting by at most one request', async () => {
    const worktree = await createTempTree();
    const prices = { 'claude-sonnet-4-6': { input: 30, output: 150 } };
    const { result, recorder } = await runReplay({ worktree, turns: endless, agent: { budgetUsd: 0.25, prices } });
    expect(result.status).toBe('over-budget');
    expect(result.reason).toMatch(/of the \$0.25 budget \(agent.budgetUsd\)/);
    const costs = recorder.events
      .filter((e) => e.type === 'response')
      .map((e) => {
        const u = e.usage as { input_tokens: number; output_tokens: number; cache_read_input_tokens: number; cache_creation_input_tokens: number };
        return priceUsage('claude-sonnet-4-6', { input: u.input_tokens, output: u.output_tokens, cacheRead: u.cache_read_input_tokens, cacheWrite: u.cache_creation_input_tokens }, prices);
      });
    expect(costs).toHaveLength(result.turns);
    expect(result.turns).toBeGreaterThan(1);
    expect(result.turns).toBeLessThan(endless.length);
    expect(result.costUsd).toBeGreaterThanOrEqual(0.25);
    expect(result.costUsd - costs[costs.length - 1]).toBeLessThan(0.25);
  });

  it('fails as timed out when the wall clock passes timeoutMinutes', async () => {
    const worktree = await createTempTree();
    let clock = 0;
    const { result } = await runReplay({
      worktree,
      turns: endless,
      agent: { timeoutMinutes: 1 },
      deps: { now: () => clock },
      extra: { transcript: (event) => { if (event.type === 'response') clock += 45_000; } },
    });
    expect(result).toMatchObject({ status: 'failed', turns: 2, reason: expect.stringMatching(/^timed out after 1 min/) });
  });

  it('fails as interrupted when the signal aborts, abandoning the request in flight', async () => {
    const worktree = await createTempTree();
    const controller = new AbortController();
    const { result, server } = await runReplay({
      worktree,
      turns: endless,
      signal: controller.signal,
      faults: [{ kind: 'stall', turn: 1 }],
      server: { log: (line) => { if (line.includes('fault=stall')) controller.abort(); } },
    });
    expect(result).toMatchObject({ status: 'failed', reason: 'interrupted', turns: 2 });
    expect(server.stats().requests).toBe(2);
  });

  it('fails at once, without retrying, when the API refuses the request (400)', async () => {
    const worktree = await createTempTree();
    const { result, server, sleeps } = await runReplay({ worktree, turns: [{ content: [tool('list_files', {})] }] });
    expect(result).toMatchObject({ status: 'failed', turns: 2, reason: expect.stringMatching(/^the API refused the request: 400 invalid_request_error: /) });
    expect(server.stats().requests).toBe(2);
    expect(sleeps).toEqual([]);
  });
});

describe('anthropic provider: stop reasons', () => {
  it('sends a pause_turn back unchanged and carries on', async () => {
    const worktree = await createTempTree();
    const { result, recorder } = await runReplay({
      worktree,
      turns: [
        { content: [text('Still thinking about it...')], stop_reason: 'pause_turn' },
        { content: [tool('write_file', { path: 'src/p.ts', content: 'p' }), tool('finish', { summary: 'p' })] },
      ],
    });
    expect(result).toMatchObject({ status: 'done', turns: 2 });
    const state = readState(recorder);
    expect(state.slice(0, 2)).toEqual([state[0], { role: 'assistant', content: [{ type: 'text', text: 'Still thinking about it...' }] }]);
    expect(state[2].role).toBe('assistant');
    expect(existsSync(path.join(worktree, 'src/p.ts'))).toBe(true);
  });

  it('answers a tool call cut by max_tokens with an error, and asks a cut text to continue', async () => {
    const worktree = await createTempTree();
    const { result, recorder } = await runReplay({
      worktree,
      agent: { maxTokens: 64 },
      turns: [
        { content: [text('Here is the file:'), tool('write_file', { path: 'src/big.ts' })], stop_reason: 'max_tokens' },
        { content: [text('The plan is, first')], stop_reason: 'max_tokens' },
        { content: [tool('write_file', { path: 'src/small.ts', content: 's' }), tool('finish', { summary: 'small pieces' })] },
      ],
    });
    expect(result).toMatchObject({ status: 'done', turns: 3 });
    const [cut] = readToolResults(recorder);
    expect(cut).toMatchObject({ name: 'write_file', is_error: true, content: expect.stringMatching(/max_tokens limit \(64\).*smaller pieces/s) });
    expect(await readTree(worktree)).toEqual({ 'src/small.ts': 's' });
    expect(JSON.stringify(readState(recorder)[4])).toContain('cut off at the output limit');
  });

  it('fails on a refusal, quoting it', async () => {
    const worktree = await createTempTree();
    const { result } = await runReplay({ worktree, turns: [{ content: [text("I can't help with that.")], stop_reason: 'refusal' }] });
    expect(result).toMatchObject({ status: 'failed', reason: "the model refused: I can't help with that." });
  });

  it('nudges once after an end_turn without finish, then takes the last text as the summary', async () => {
    const worktree = await createTempTree();
    const { result, recorder } = await runReplay({
      worktree,
      turns: [{ content: [text('I think that is it.')] }, { content: [text('All done; tests pass.')] }],
    });
    expect(result).toMatchObject({ status: 'done', turns: 2, summary: 'All done; tests pass.' });
    expect(JSON.stringify(readState(recorder)[2])).toContain('without calling `finish` or `report_blocker`');
  });
});

describe('anthropic provider: set-up', () => {
  it('builds its client from input.env: ANTHROPIC_BASE_URL at a replay server and any key work', async () => {
    const worktree = await createTempTree();
    const server = await startMessagesApiServer({
      script: { sessions: [{ name: 'env', match: { contains: 'SCENARIO: env' }, turns: [{ content: [tool('finish', { summary: 'ok' })] }] }] },
    });
    try {
      const { input } = buildRunInput({ worktree, scenario: 'env', env: { ANTHROPIC_API_KEY: 'anything', ANTHROPIC_BASE_URL: server.url } });
      await expect(createAnthropicProvider().run(input)).resolves.toMatchObject({ status: 'done', summary: 'ok' });
    } finally {
      await server.close();
    }
  });

  it('throws an AgentError saying what to do when ANTHROPIC_API_KEY is missing', async () => {
    const worktree = await createTempTree();
    const { input } = buildRunInput({ worktree, scenario: 'none', env: {} });
    const run = createAnthropicProvider().run(input);
    await expect(run).rejects.toThrow(AgentError);
    await expect(run).rejects.toMatchObject({ hint: expect.stringMatching(/ANTHROPIC_API_KEY.*command provider.*ANTHROPIC_BASE_URL/s) });
  });

  it('throws before any request for a model without a price', async () => {
    const worktree = await createTempTree();
    const server = await startMessagesApiServer({ script: { sessions: [] } });
    try {
      const { input } = buildRunInput({ worktree, scenario: 'x', agent: { model: 'claude-future-9' }, env: { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: server.url } });
      await expect(createAnthropicProvider().run(input)).rejects.toThrow(/claude-future-9/);
      expect(server.stats().requests).toBe(0);
    } finally {
      await server.close();
    }
  });
});
