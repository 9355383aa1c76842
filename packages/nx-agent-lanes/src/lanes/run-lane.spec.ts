import { PLACEHOLDER_API_KEY } from '../proxy';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLaneRepo, disposeLaneRepo, scriptedProvider, testFeature, testLane } from '../__fixtures__/lane-fixture';
import type { AgentProviderImpl } from '../agents/provider';
import type { TestRepo } from '../git/create-test-repo';
import { listLaneWorktrees } from '../git/lane-worktree';
import { appendLaneNote } from '../notes/lane-notes';
import { runLane } from './run-lane';

describe('runLane', () => {
  let repo: TestRepo;
  const feature = testFeature([testLane('logic', ['libs/export/**'])], { secrets: ['EXPORT_TOKEN'] });
  const lane = feature.lanes[0];
  const artifacts = () => join(repo.root, 'dist/agent-lanes/f/logic');
  const notesFile = () => (mkdirSync(join(repo.root, 'features/f/notes'), { recursive: true }), join(repo.root, 'features/f/notes/logic.jsonc'));
  const run = (provider: AgentProviderImpl, extra: Partial<Parameters<typeof runLane>[0]> = {}) =>
    runLane({ workspaceRoot: repo.root, feature, lane, providers: { command: provider, anthropic: provider }, ...extra });

  /** Answers once the lane says it waits (waiting.json), as a person following its log would; keeps what it said. */
  const answerWhenAsked = (answer: string) => {
    const asked: { waiting?: unknown } = {};
    const timer = setInterval(() => {
      if (!existsSync(join(artifacts(), 'waiting.json'))) return;
      clearInterval(timer);
      asked.waiting = JSON.parse(readFileSync(join(artifacts(), 'waiting.json'), 'utf8'));
      writeFileSync(notesFile(), appendLaneNote(undefined, { kind: 'answers', value: { question: 'UTC or local?', answer } }));
    }, 20);
    return asked;
  };

  beforeEach(() => {
    repo = createLaneRepo(feature);
  });
  afterEach(() => disposeLaneRepo(repo));

  it('ends blocked with the question, keeps the partial work, and removes its worktree', async () => {
    const provider = scriptedProvider({
      logic: { edits: { 'libs/export/draft.ts': 'half done\n' }, result: { status: 'blocked', question: 'UTC or local?' } },
    });
    const result = await run(provider);
    expect(result).toMatchObject({ status: 'blocked', question: 'UTC or local?', agentRuns: 1, startedFrom: 'fresh' });
    expect(readFileSync(join(artifacts(), 'lane.patch'), 'utf8')).toContain('+half done');
    await expect(listLaneWorktrees(repo.root)).resolves.toEqual([]);
  });

  it('waits for an answer and resumes in place when asked to', async () => {
    const provider = scriptedProvider({
      logic: [
        { result: { status: 'blocked', question: 'UTC or local?' } },
        { edits: { 'libs/export/csv.ts': 'utc\n' } },
      ],
    });
    const lines: string[] = [];
    const asked = answerWhenAsked('UTC');
    const result = await run(provider, { waitForAnswer: true, log: (l) => lines.push(l) });
    expect(result).toMatchObject({ status: 'done', agentRuns: 2 });
    // While it waited the lane said what it asked; once answered, that is gone.
    expect(asked.waiting).toEqual({ question: 'UTC or local?' });
    expect(existsSync(join(artifacts(), 'waiting.json'))).toBe(false);
    expect(provider.inputs[1].prompt.task).toContain('UTC');
    expect(lines.join('\n')).toContain('nx g nx-agent-lanes:answer f --lane logic --answer');
  });

  it('reuses unpaid a result answered in place when the next run has exactly those inputs, and reruns when they change', async () => {
    const provider = scriptedProvider({
      logic: [
        { result: { status: 'blocked', question: 'UTC or local?' } },
        { edits: { 'libs/export/csv.ts': 'utc\n' } },
      ],
    });
    answerWhenAsked('UTC');
    const first = await run(provider, { waitForAnswer: true });
    expect(first.answeredInPlace?.inputs).toMatch(/^[0-9a-f]{64}$/);

    const untouched = scriptedProvider({ logic: { edits: { 'libs/export/other.ts': 'x\n' } } });
    const lines: string[] = [];
    const again = await run(untouched, { log: (l) => lines.push(l) });
    expect(untouched.runs).toEqual([]);
    expect(again).toEqual(first);
    expect(lines.join('\n')).toContain('nothing to rerun, nothing paid');

    writeFileSync(notesFile(), appendLaneNote(readFileSync(notesFile(), 'utf8'), { kind: 'feedback', value: { message: 'Quote every field' } }));
    const changed = scriptedProvider({ logic: { edits: { 'libs/export/quote.ts': 'q\n' } } });
    expect((await run(changed)).status).toBe('done');
    expect(changed.runs).toEqual(['logic']);
  });

  it('starts from its previous patch when it gets feedback', async () => {
    await run(scriptedProvider({ logic: { edits: { 'libs/export/csv.ts': 'v1\n' } } }));
    writeFileSync(notesFile(), appendLaneNote(undefined, { kind: 'feedback', value: { message: 'Quote every field' } }));
    let sawPrevious = '';
    const provider = scriptedProvider({
      logic: {
        inspect: (wt) => (sawPrevious = readFileSync(join(wt, 'libs/export/csv.ts'), 'utf8')),
        edits: { 'libs/export/quote.ts': 'q\n' },
      },
    });
    const result = await run(provider);
    expect(sawPrevious).toBe('v1\n');
    expect(result.startedFrom).toBe('previous-patch');
    expect(provider.inputs[0].prompt.task).toContain('Quote every field');
    const patch = readFileSync(join(artifacts(), 'lane.patch'), 'utf8');
    expect(patch).toContain('+v1');
    expect(patch).toContain('+q');
  });

  it('never writes a secret value, whatever the agent logs', async () => {
    const env = { ...process.env, ANTHROPIC_API_KEY: 'fake-key-marker-0123456789', EXPORT_TOKEN: 'tok-marker-abcdefgh' };
    let placeholder: string | undefined;
    const provider: AgentProviderImpl = {
      name: 'command',
      async run(input) {
        // The agent is given a placeholder, never the key; one that finds the key elsewhere and prints it is redacted.
        placeholder = input.env.ANTHROPIC_API_KEY;
        input.log(`using ${env.ANTHROPIC_API_KEY}`);
        input.transcript({ type: 'note', text: `token ${input.env.EXPORT_TOKEN}` });
        return { status: 'failed', reason: `bad key ${env.ANTHROPIC_API_KEY}`, turns: 0, usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, costUsd: 0 };
      },
    };
    const lines: string[] = [];
    await run(provider, { env, log: (l) => lines.push(l) });
    const written = ['result.json', 'transcript.jsonl', 'lane.patch'].map((f) => readFileSync(join(artifacts(), f), 'utf8')).join('\n') + lines.join('\n');
    expect(written).not.toContain('fake-key-marker-0123456789');
    expect(written).not.toContain('tok-marker-abcdefgh');
    expect(written).toContain('[redacted ANTHROPIC_API_KEY]');
    expect(written).toContain('[redacted EXPORT_TOKEN]');
    expect(placeholder).toBe(PLACEHOLDER_API_KEY);
  });

  it("keeps the transcript of a run killed before it wrote its result", async () => {
    await run(scriptedProvider({ logic: {} }));
    // What kill -9 leaves: a transcript written after the last result.json.
    const transcript = join(artifacts(), 'transcript.jsonl');
    writeFileSync(transcript, '{"type":"note","text":"the killed run got this far"}\n');
    const later = new Date(Date.now() + 60_000);
    utimesSync(transcript, later, later);
    await run(scriptedProvider({ logic: {} }));
    const rescued = readdirSync(join(artifacts(), 'rescued'));
    expect(rescued).toHaveLength(1);
    expect(readFileSync(join(artifacts(), 'rescued', rescued[0]), 'utf8')).toContain('the killed run got this far');
  });

  it('turns a crashing provider into a failed lane and keeps what it wrote', async () => {
    const provider: AgentProviderImpl = {
      name: 'command',
      async run(input) {
        writeFileSync(join(input.worktree, 'libs-partial.txt'), 'x\n');
        throw new Error('agent exploded');
      },
    };
    const result = await run(provider);
    expect(result).toMatchObject({ status: 'failed', reason: 'agent exploded' });
    expect(readFileSync(join(artifacts(), 'lane.patch'), 'utf8')).toContain('libs-partial.txt');
    expect(existsSync(join(artifacts(), 'result.json'))).toBe(true);
  });
});

describe('runLane in a checkout with uncommitted work', () => {
  it('says the agent will not see uncommitted changes to its owned files', async () => {
    const feature = testFeature([testLane('logic', ['libs/export/**'])]);
    const repo = createLaneRepo(feature, { 'libs/export/csv.ts': 'committed\n' });
    try {
      repo.write('libs/export/csv.ts', 'edited, not committed\n');
      const provider = scriptedProvider({ logic: {} });
      const lines: string[] = [];
      await runLane({ workspaceRoot: repo.root, feature, lane: feature.lanes[0], providers: { command: provider, anthropic: provider }, log: (l) => lines.push(l) });
      expect(lines.join('\n')).toMatch(/uncommitted changes to files this lane owns are not seen by its agent.*libs\/export\/csv\.ts\. Commit them first/);
      expect(repo.read('libs/export/csv.ts')).toBe('edited, not committed\n');
    } finally {
      disposeLaneRepo(repo);
    }
  });
});
