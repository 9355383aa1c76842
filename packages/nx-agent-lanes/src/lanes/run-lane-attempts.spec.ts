import { mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_AGENT, createLaneRepo, disposeLaneRepo, inlineNodeCommand, scriptedProvider, testFeature, testLane } from '../__fixtures__/lane-fixture';
import type { AgentProviderImpl } from '../agents/provider';
import { createCommandProvider } from '../agents/command/command-provider';
import { DEFAULT_PRICES, findModelPrice } from '../feature/default-agent';
import type { Feature } from '../feature/feature-types';
import type { TestRepo } from '../git/create-test-repo';
import { buildReviewReport } from '../integrate/build-review-report';
import { readLaneStates } from '../integrate/lane-state';
import type { LaneResult } from '../layout';
import { appendLaneNote } from '../notes/lane-notes';
import { startMessagesApiServer, type MessagesApiServer } from '../replay/messages-api-server';
import { forgetSandboxDetection } from '../stage/sandbox-warning';
import { runLane } from './run-lane';

const MODEL = 'claude-sonnet-4-6';

/** An agent that asks the Messages API `times` times through its lane's proxy address. */
function askingAgent(times: number): string {
  return inlineNodeCommand(`
    (async () => {
      for (let i = 0; i < ${times}; i++) {
        await fetch(process.env.ANTHROPIC_BASE_URL + '/v1/messages', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': process.env.ANTHROPIC_API_KEY },
          body: JSON.stringify({ model: '${MODEL}', max_tokens: 2048, messages: [{ role: 'user', content: 'Lane: attempts' }] }),
        }).then((r) => r.json());
      }
    })();
  `);
}

function meterEvents(root: string): Array<{ turns: number; costUsd: number }> {
  return readFileSync(join(root, 'dist/agent-lanes/f/logic/transcript.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((e) => e.type === 'meter');
}

describe('runLane: every attempt kept in result.json', () => {
  let repo: TestRepo | undefined;
  const notesFile = (root: string) => (mkdirSync(join(root, 'features/f/notes'), { recursive: true }), join(root, 'features/f/notes/logic.jsonc'));
  const readResult = (root: string) => JSON.parse(readFileSync(join(root, 'dist/agent-lanes/f/logic/result.json'), 'utf8')) as LaneResult;

  afterEach(() => {
    if (repo) disposeLaneRepo(repo);
    repo = undefined;
    forgetSandboxDetection();
  });

  describe('metered by the proxy', () => {
    let replay: MessagesApiServer;
    beforeEach(async () => {
      forgetSandboxDetection();
      replay = await startMessagesApiServer({
        script: { sessions: [{ name: 'attempts', match: { contains: 'Lane: attempts' }, turns: [{ content: [{ type: 'text', text: 'ok' }], usage: { output_tokens: 700 } }] }] },
      });
    });
    afterEach(async () => replay.close());

    it("adds the feedback attempt to the first one, and the report's total is the proxy's meter over both", async () => {
      const lane = testLane('logic', ['libs/export/**'], { agent: { ...TEST_AGENT, model: MODEL, command: askingAgent(2) } });
      const feature = testFeature([lane]);
      const made = (repo = createLaneRepo(feature));
      const env = { ...process.env, ANTHROPIC_BASE_URL: replay.url, ANTHROPIC_API_KEY: 'attempts-test-key' };
      const command = createCommandProvider({ killGraceMs: 500 });
      const first = await runLane({ workspaceRoot: made.root, feature, lane, providers: { command }, env });
      const firstMeter = meterEvents(made.root).at(-1)!;
      expect(first.attempts).toHaveLength(1);
      expect(first.attempts![0]).toMatchObject({ outcome: 'done', startedFrom: 'fresh', usageSource: 'proxy', turns: 2, costUsd: firstMeter.costUsd });

      writeFileSync(notesFile(made.root), appendLaneNote(undefined, { kind: 'feedback', value: { message: 'Quote every field' } }));
      const again = { ...lane, agent: { ...lane.agent, command: askingAgent(3) } };
      const second = await runLane({ workspaceRoot: made.root, feature: { ...feature, lanes: [again] }, lane: again, providers: { command }, env });
      const secondMeter = meterEvents(made.root).at(-1)!;
      expect(second.attempts!.map((a) => [a.outcome, a.turns, a.costUsd])).toEqual([
        ['done', 2, firstMeter.costUsd],
        ['done', 3, secondMeter.costUsd],
      ]);
      // The top-level figures are the last attempt's: the first is not in them.
      expect(second.costUsd).toBe(secondMeter.costUsd);

      const report = buildReviewReport({
        feature,
        states: readLaneStates(made.root, feature),
        run: { started: Date.now(), baseCommit: second.baseCommit, branch: 'lanes/f', commits: {}, judged: {}, workspaceInRepo: '', invocation: 'x' },
        generatedAt: new Date().toISOString(),
      });
      const served = replay.stats();
      const price = findModelPrice(DEFAULT_PRICES, MODEL)!;
      expect(served.bySession).toEqual({ attempts: 5 });
      expect(report.totals.costUsd).toBeCloseTo(firstMeter.costUsd + secondMeter.costUsd, 6);
      expect(report.totals.costUsd).toBeCloseTo((served.usage.input_tokens * price.input + served.usage.output_tokens * price.output) / 1e6, 6);
      expect(report.totals).toMatchObject({ turns: 5, attempts: 2, unknownAttempts: 0 });
      expect(report.lanes[0].attempts).toHaveLength(2);
    });

    it('counts a run killed with -9 as an attempt with what its transcript metered, once', async () => {
      const lane = testLane('logic', ['libs/export/**']);
      const feature: Feature = testFeature([lane]);
      const made = (repo = createLaneRepo(feature));
      const provider = scriptedProvider({ logic: { edits: { 'libs/export/a.ts': 'a\n' } } });
      await runLane({ workspaceRoot: made.root, feature, lane, providers: { command: provider } });
      // The killed run: a transcript written after result.json, with the proxy's running meter in it.
      const dir = join(made.root, 'dist/agent-lanes/f/logic');
      writeFileSync(
        join(dir, 'transcript.jsonl'),
        [
          { t: '2026-01-01T10:00:00.000Z', type: 'run-start', run: 1, provider: 'command', startedFrom: 'fresh' },
          { t: '2026-01-01T10:00:05.000Z', type: 'meter', turns: 1, costUsd: 0.01, tokens: { input: 10, output: 100, cacheRead: 0, cacheWrite: 0 } },
          { t: '2026-01-01T10:00:09.000Z', type: 'meter', turns: 2, costUsd: 0.025, tokens: { input: 20, output: 250, cacheRead: 0, cacheWrite: 0 } },
        ]
          .map((e) => JSON.stringify(e))
          .join('\n') + '\n{"t":"2026-01-01T10:00:1',
      );
      const later = new Date(Date.now() + 60_000);
      utimesSync(join(dir, 'transcript.jsonl'), later, later);

      const next = await runLane({ workspaceRoot: made.root, feature, lane, providers: { command: provider } });
      expect(readdirSync(join(dir, 'rescued')).filter((f) => f.endsWith('.jsonl'))).toHaveLength(1);
      expect(next.attempts!.map((a) => a.outcome)).toEqual(['done', 'killed', 'done']);
      expect(next.attempts![1]).toMatchObject({ turns: 2, costUsd: 0.025, usageSource: 'proxy', durationMs: 9000, tokens: { input: 20, output: 250 } });

      // The rescued transcript stays in rescued/, but the next run does not count it again.
      const third = await runLane({ workspaceRoot: made.root, feature, lane, providers: { command: provider } });
      expect(third.attempts!.map((a) => a.outcome)).toEqual(['done', 'killed', 'done', 'done']);
      expect(readResult(made.root).attempts).toEqual(third.attempts);
    });
  });

  it('tells a resumed agent the turns already spent, and keeps the blocked attempt apart', async () => {
    const lane = testLane('logic', ['libs/export/**']);
    const feature = testFeature([lane]);
    const made = (repo = createLaneRepo(feature));
    const scripted = scriptedProvider({
      logic: [
        { result: { status: 'blocked', question: 'UTC or local?', turns: 5, costUsd: 0.05 } },
        { result: { turns: 3, costUsd: 0.03 } },
      ],
    });
    // The conversation survives a blocker only for providers that keep one.
    const provider: AgentProviderImpl = { name: 'anthropic', run: (input) => scripted.run(input) };
    const env = { ...process.env, ANTHROPIC_API_KEY: 'resume-test-key' };
    const blocked = await runLane({ workspaceRoot: made.root, feature, lane, providers: { command: provider }, env });
    expect(blocked).toMatchObject({ status: 'blocked', turns: 5, usageSource: 'agent' });
    writeFileSync(notesFile(made.root), appendLaneNote(undefined, { kind: 'answers', value: { question: 'UTC or local?', answer: 'UTC' } }));
    writeFileSync(
      join(made.root, 'dist/agent-lanes/f/logic/transcript.jsonl'),
      `${readFileSync(join(made.root, 'dist/agent-lanes/f/logic/transcript.jsonl'), 'utf8')}${JSON.stringify({ type: 'state', messages: [{ role: 'user', content: 'go' }] })}\n`,
    );
    utimesSync(join(made.root, 'dist/agent-lanes/f/logic/transcript.jsonl'), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));

    const resumed = await runLane({ workspaceRoot: made.root, feature, lane, providers: { command: provider }, env });
    expect(scripted.inputs[0].spentBefore).toBeUndefined();
    expect(scripted.inputs[1].spentBefore).toEqual({ turns: 5, costUsd: 0.05 });
    expect(resumed).toMatchObject({ status: 'done', startedFrom: 'resumed-transcript', turns: 8 });
    expect(resumed.attempts!.map((a) => [a.outcome, a.startedFrom, a.turns, a.costUsd])).toEqual([
      ['blocked', 'fresh', 5, 0.05],
      ['done', 'resumed-transcript', 3, 0.03],
    ]);
  });
});
