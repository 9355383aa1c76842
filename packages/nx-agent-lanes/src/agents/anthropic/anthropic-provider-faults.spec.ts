import type { FaultRule, ScriptedResponse } from '../../replay/script-types';
import { createTempTree, readTree, removeTempDirs } from './__fixtures__/lane-fixture';
import { closeServers, runReplay, SUM_TEST_COMMAND, SUM_TURNS, tool } from './__fixtures__/replay-run';

afterEach(async () => {
  await closeServers();
  await removeTempDirs();
});

async function runSumLane(faults: Array<Omit<FaultRule, 'session'>> = [], idleTimeoutMs?: number) {
  const worktree = await createTempTree({ 'README.md': 'readme' });
  const run = await runReplay({ worktree, turns: SUM_TURNS, testCommand: SUM_TEST_COMMAND, faults, deps: { idleTimeoutMs } });
  return { ...run, files: await readTree(worktree) };
}

describe('anthropic provider: faults survived with the same result as a clean run', () => {
  // `times` beyond the SDK's own 2 retries, so the provider's retry layer is exercised too.
  it.each<[string, Omit<FaultRule, 'session'>, number]>([
    ['429 with retry-after', { kind: 'rate-limit', turn: 1, times: 3, retryAfterSeconds: 0 }, 1],
    ['529 overloaded', { kind: 'overloaded', turn: 2, times: 3 }, 1],
    ['500 server error', { kind: 'server-error', turn: 3, times: 3 }, 1],
    ['connection reset', { kind: 'reset', turn: 1, times: 3 }, 1],
    ['error event mid-stream', { kind: 'mid-stream-error', turn: 2, times: 2, afterEvents: 2 }, 2],
    ['stalled stream', { kind: 'stall', turn: 3, times: 1 }, 1],
  ])('%s', async (_name, fault, retries) => {
    const clean = await runSumLane();
    const faulty = await runSumLane([fault], 300);
    expect(faulty.server.stats().faultsInjected).toBe(fault.times);
    expect(faulty.result).toMatchObject({ status: 'done', turns: clean.result.turns, summary: clean.result.summary });
    expect(faulty.files).toEqual(clean.files);
    const retryLines = faulty.recorder.lines.filter((line) => / · retry \d\/3 in /.test(line));
    expect(retryLines).toHaveLength(retries);
    expect(faulty.sleeps).toHaveLength(retries);
    expect(faulty.recorder.events.filter((e) => e.type === 'retry')).toHaveLength(retries);
  });

  it('names the last error after 4 failed attempts', async () => {
    const { result, server, recorder } = await runSumLane([{ kind: 'mid-stream-error', turn: 1, times: 10 }]);
    expect(result).toMatchObject({
      status: 'failed',
      turns: 2,
      reason: expect.stringMatching(/failed 4 times; last error: error event mid-stream: overloaded_error: Overloaded/),
    });
    expect(server.stats().faultsInjected).toBe(4);
    expect(recorder.lines.filter((line) => line.includes(' · retry '))).toEqual([
      expect.stringMatching(/^turn 2\/40 · retry 1\/3 in 1 s: error event mid-stream/),
      expect.stringMatching(/^turn 2\/40 · retry 2\/3 in 2 s: /),
      expect.stringMatching(/^turn 2\/40 · retry 3\/3 in 4 s: /),
    ]);
  });
});

describe('anthropic provider: prompt caching', () => {
  it('reads at least 80% of the input tokens of a 20-turn lane from the cache', async () => {
    const worktree = await createTempTree({ 'src/a.ts': 'export const a = 1;\n' });
    const turns: ScriptedResponse[] = [
      ...Array.from({ length: 19 }, (_, i) =>
        i % 2 === 0
          ? { content: [tool('read_file', { path: 'src/a.ts' })] }
          : { content: [tool('write_file', { path: `src/step-${i}.ts`, content: `export const step = ${i};\n` })] },
      ),
      { content: [tool('finish', { summary: 'twenty turns' })] },
    ];
    const { result, server } = await runReplay({ worktree, turns });
    expect(result).toMatchObject({ status: 'done', turns: 20 });
    const usage = server.stats().usage;
    const input = usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens;
    const share = usage.cache_read_input_tokens / input;
    console.log(
      `20-turn lane: cache_read ${usage.cache_read_input_tokens} / input ${input} tokens = ${(share * 100).toFixed(1)}% ` +
        `(uncached ${usage.input_tokens}, cache writes ${usage.cache_creation_input_tokens}); cost $${result.costUsd.toFixed(4)}`,
    );
    expect(share).toBeGreaterThanOrEqual(0.8);
  });
});
