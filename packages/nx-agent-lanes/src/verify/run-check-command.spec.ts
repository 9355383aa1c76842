import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestRunner } from '../stage/__fixtures__/test-runner';
import { runCheckCommand } from './run-check-command';

/* A test or setup command's output: redacted as it streams, capped in the log, its tail kept. */

const KEY = 'fake-key-marker-FAKEcheck0123456789abcdef';

describe('runCheckCommand', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'check-command-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function nodeCommand(source: string): string {
    const file = join(dir, 'check.js');
    writeFileSync(file, source);
    return `${JSON.stringify(process.execPath)} ${JSON.stringify(file)}`;
  }

  it('logs up to the cap, then one line saying what was dropped, and still keeps the tail and the verdict', async () => {
    const logged: string[] = [];
    const result = await runCheckCommand({
      command: nodeCommand(`
        const chunk = ('line of test output ' + 'x'.repeat(80) + '\\n').repeat(10000);
        for (let i = 0; i < 20; i++) process.stdout.write(chunk);
        process.stdout.write('1 failing: expected 2 to be 3\\n');
        process.exitCode = 1;`),
      cwd: dir,
      env: { PATH: process.env['PATH'] },
      signal: new AbortController().signal,
      runProcess: createTestRunner({ worktree: dir, secrets: [{ name: 'ANTHROPIC_API_KEY', value: KEY }] }),
      log: (line) => logged.push(line),
      outputBytes: 64 * 1024,
    });
    expect(result.passed).toBe(false);
    expect(result.outputTail.split('\n').pop()).toBe('1 failing: expected 2 to be 3');
    const bytes = logged.slice(0, -1).reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
    // The line cut at the cap has no newline of its own, which the sum counts.
    expect(bytes).toBeLessThanOrEqual(64 * 1024 + 1);
    expect(logged[logged.length - 1]).toMatch(/^\[nx-agent-lanes: output cap of 64 KiB reached; [\d.]+ MiB more dropped \(raise limits.outputBytes/);
  });

  it('redacts a key split across two chunks and one past the shown length of a line, in the log and the tail', async () => {
    const logged: string[] = [];
    const result = await runCheckCommand({
      command: nodeCommand(`
        const key = process.env.ANTHROPIC_API_KEY;
        console.log('x'.repeat(1995) + key);
        process.stdout.write('split ' + key.slice(0, 12));
        setTimeout(() => process.stdout.write(key.slice(12) + ' done\\n'), 200);`),
      cwd: dir,
      env: { PATH: process.env['PATH'], ANTHROPIC_API_KEY: KEY },
      signal: new AbortController().signal,
      runProcess: createTestRunner({ worktree: dir, secrets: [{ name: 'ANTHROPIC_API_KEY', value: KEY }] }),
      log: (line) => logged.push(line),
    });
    expect(result.passed).toBe(true);
    expect(logged).toEqual([expect.stringMatching(/^x{1995}\[reda… \(\d+ more characters\)$/), 'split [redacted ANTHROPIC_API_KEY] done']);
    for (const text of [logged.join('\n'), result.outputTail]) {
      expect(text).not.toContain(KEY.slice(0, 5));
      expect(text).not.toContain(KEY.slice(12));
    }
  });
});
