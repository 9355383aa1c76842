import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_AGENT, createLaneRepo, inlineNodeCommand, disposeLaneRepo, testFeature, testLane } from '../__fixtures__/lane-fixture';
import { commandProvider } from '../agents/command/command-provider';
import type { OutputLimits } from '../feature/feature-types';
import { DEFAULT_LIMITS } from '../feature/read-limits';
import type { TestRepo } from '../git/create-test-repo';
import { runLane } from './run-lane';

/* What a command agent prints, through the real provider and lane runner: bounded and redacted. */

const KEY = 'fake-key-marker-FAKEfake0123456789abcdefXYZ';
const MIB = 1024 * 1024;

describe('runLane: agent output', () => {
  let repo: TestRepo;
  const artifacts = () => join(repo.root, 'dist/agent-lanes/f/logic');

  beforeEach(() => {
    repo = createLaneRepo(testFeature([testLane('logic', ['libs/export/**'])]));
  });
  afterEach(() => disposeLaneRepo(repo));

  /** Runs lane `logic` with a node script as its agent command; counts log lines instead of keeping them all. */
  async function runAgent(source: string, limits: OutputLimits = DEFAULT_LIMITS) {
    const lane = testLane('logic', ['libs/export/**'], { agent: { ...TEST_AGENT, command: inlineNodeCommand(source) }, limits });
    const feature = testFeature([lane]);
    const kept: string[] = [];
    let logLines = 0;
    const result = await runLane({
      workspaceRoot: repo.root,
      feature,
      lane,
      env: { ...process.env, ANTHROPIC_API_KEY: KEY },
      providers: { command: commandProvider, anthropic: commandProvider },
      log: (line) => {
        logLines++;
        if (kept.length < 50 || /redacted|dropped|fake-key-marker/.test(line)) kept.push(line);
      },
    });
    const transcript = readFileSync(join(artifacts(), 'transcript.jsonl'), 'utf8');
    return { result, kept, logLines, transcript };
  }

  it('keeps memory flat under a 100 MB flood, drops what is past the caps with one marker each, and still ends done', async () => {
    // 50 MB of ordinary lines, then 50 MB of one line that never ends, then the last words.
    const flood = `
      const line = 'x'.repeat(99) + '\\n';
      const lines = line.repeat(10 * 1024);
      const endless = 'y'.repeat(1024 * 1024);
      let sent = 0;
      function next() {
        while (sent < 100) {
          const ok = process.stdout.write(sent < 50 ? lines.slice(0, 1024 * 1024) : endless);
          sent++;
          if (!ok) return process.stdout.once('drain', next);
        }
        process.stdout.write('\\nlast line\\n');
      }
      next();`;
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const started = Date.now();
    const { result, kept, logLines, transcript } = await runAgent(flood).finally(() => clearInterval(sampler));
    const seconds = (Date.now() - started) / 1000;
    const transcriptBytes = statSync(join(artifacts(), 'transcript.jsonl')).size;
    // Measured figures, for the record of this issue.
    console.log(`100 MB flood: ${seconds.toFixed(1)} s, RSS growth ${((peak - before) / MIB).toFixed(1)} MiB, transcript ${(transcriptBytes / MIB).toFixed(1)} MiB, ${logLines} log lines`);

    expect(result.status).toBe('done');
    expect(peak - before).toBeLessThan(100 * MIB);
    expect(transcriptBytes).toBeLessThanOrEqual(DEFAULT_LIMITS.transcriptBytes);
    expect(seconds).toBeLessThan(60);
    const marker = kept.filter((l) => l.includes('output cap of 8 MiB reached'));
    expect(marker).toEqual([expect.stringMatching(/^\[nx-agent-lanes: output cap of 8 MiB reached; \d+(\.\d)? MiB more dropped \(raise limits.outputBytes/)]);
    // About 8 MiB of 100-byte lines were logged, and nothing after them.
    expect(logLines).toBeLessThan(90_000);
    const events = transcript.trim().split('\n').map((l) => JSON.parse(l) as { type: string; droppedBytes?: number });
    const dropped = events.filter((e) => e.type === 'output-dropped');
    expect(dropped).toHaveLength(1);
    expect(dropped[0].droppedBytes).toBeGreaterThan(90 * MIB);
  }, 120_000);

  it('keeps transcript.jsonl under its own cap, ending it with one line that says what was dropped', async () => {
    const chatty = `for (let i = 0; i < 5000; i++) console.log('line ' + i + ' ' + 'z'.repeat(40));`;
    const { transcript } = await runAgent(chatty, { ...DEFAULT_LIMITS, outputBytes: 1 * MIB, transcriptBytes: 16 * 1024 });
    expect(Buffer.byteLength(transcript)).toBeLessThanOrEqual(16 * 1024);
    const last = JSON.parse(transcript.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(last).toMatchObject({ type: 'transcript-dropped', limitBytes: 16 * 1024 });
    expect(String(last['message'])).toMatch(/^\d+(\.\d)? KiB \(\d+ events\) dropped past the 16 KiB cap; raise limits.transcriptBytes/);
  });

  it('redacts a key that straddles the 2,000-character cut of a log line before cutting', async () => {
    const { kept, transcript } = await runAgent(`console.log('x'.repeat(1990) + ${JSON.stringify(KEY)} + ' tail');`);
    // Cut after redaction, the cut falls inside the marker: nothing of the key is left to show.
    const logged = kept.find((l) => l.startsWith('xxxx'))!;
    expect(logged).toMatch(/^x{1990}\[redacted … \(\d+ more characters\)$/);
    expect(transcript).toContain(`${'x'.repeat(1990)}[redacted ANTHROPIC_API_KEY] tail`);
    const everything = kept.join('\n') + transcript + readFileSync(join(artifacts(), 'result.json'), 'utf8');
    expect(everything).not.toContain(KEY.slice(0, 10));
  });

  it('redacts a key whose halves arrive in two chunks, on stdout and on stderr', async () => {
    const halves = [KEY.slice(0, 15), KEY.slice(15)];
    const agent = `
      const [a, b] = ${JSON.stringify(halves)};
      process.stdout.write('out ' + a);
      process.stderr.write('err ' + a);
      setTimeout(() => { process.stdout.write(b + ' end\\n'); process.stderr.write(b + ' end\\n'); }, 300);`;
    const { kept, transcript } = await runAgent(agent);
    expect(kept).toEqual(expect.arrayContaining(['out [redacted ANTHROPIC_API_KEY] end', 'err [redacted ANTHROPIC_API_KEY] end']));
    for (const half of halves) expect(kept.join('\n') + transcript).not.toContain(half);
  });
});
