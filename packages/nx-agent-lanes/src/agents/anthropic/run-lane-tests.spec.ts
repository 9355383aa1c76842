import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestRunner } from '../../stage/__fixtures__/test-runner';
import { runLaneTests } from './run-lane-tests';

/* The run_tests tool's output: what goes to the model and the transcript is redacted before its tail is cut. */

const KEY = 'fake-key-marker-tests0123456789abcdef';

describe('runLaneTests', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lane-tests-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (source: string) => {
    writeFileSync(join(dir, 'suite.js'), source);
    return runLaneTests({
      command: `${JSON.stringify(process.execPath)} suite.js`,
      cwd: dir,
      env: { PATH: process.env['PATH'] },
      timeoutMs: 30_000,
      signal: new AbortController().signal,
      runProcess: createTestRunner({ worktree: dir, secrets: [{ name: 'ANTHROPIC_API_KEY', value: KEY }] }),
    });
  };

  it('redacts a key split across chunks, where the kept tail begins and ends', async () => {
    const result = await run(`
      const key = ${JSON.stringify(KEY)};
      process.stdout.write('x'.repeat(100000) + key.slice(0, 10));
      setTimeout(() => { process.stdout.write(key.slice(10) + '\\n' + 'y'.repeat(19990) + key + '\\n'); process.exitCode = 1; }, 200);`);
    expect(result.content).toMatch(/^Tests FAILED \(exit code 1\)/);
    expect(result.content).toContain('[redacted ANTHROPIC_API_KEY]');
    for (const piece of [KEY.slice(0, 10), KEY.slice(10), KEY.slice(-8)]) expect(result.content).not.toContain(piece);
  });

  it('keeps only the tail of a flood, in bounded memory', async () => {
    const result = await run(`
      const chunk = 'z'.repeat(1024 * 1024);
      let sent = 0;
      (function next() { while (sent < 50) { sent++; if (!process.stdout.write(chunk)) return process.stdout.once('drain', next); } console.log('\\nlast'); })();`);
    expect(result.content.length).toBeLessThan(25_000);
    expect(result.content.endsWith('last')).toBe(true);
  });
});
