import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxIsolation } from './decide-sandbox';
import { openAttachedSandbox } from './run-sandboxed';
import { type SandboxWorld, createSandboxWorld, killAll, processesWithMarker, requireBwrap, sleep } from './__fixtures__/sandbox-fixture';

/*
 * The sandbox for a program driven over its pipes (Claude Code under the Agent SDK), with the real
 * bubblewrap: the same walls as runSandboxed, a conversation over stdin and stdout, and nothing
 * left running once it is closed.
 */

let world: SandboxWorld;
let bwrap: SandboxIsolation;
let marker: string;

beforeAll(() => {
  bwrap = requireBwrap();
});
beforeEach(() => {
  world = createSandboxWorld();
  marker = `nx-agent-lanes-attached-${process.pid}-${Math.random().toString(36).slice(2)}`;
});
afterEach(() => {
  killAll(processesWithMarker(marker));
  world.remove();
});

const open = (isolation: SandboxIsolation) =>
  openAttachedSandbox({ cwd: world.worktree, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, isolation, writable: [world.worktree], scratch: world.scratch, onLine: () => undefined });

/** Answers each line it reads with `echo: <line>`, writes what it may and may not, then waits. */
const ECHO = `
const fs = require('fs');
const tried = {};
for (const [name, file] of Object.entries({ worktree: 'in-worktree.txt', repo: process.argv[1] })) {
  try { fs.writeFileSync(file, 'x'); tried[name] = 'written'; } catch (e) { tried[name] = e.code; }
}
process.stdout.write(JSON.stringify({ tried, home: process.env.HOME, extra: process.env.EXTRA ?? null }) + '\\n');
require('readline').createInterface({ input: process.stdin }).on('line', (line) => process.stdout.write('echo: ' + line + '\\n'));
`;

async function converse(isolation: SandboxIsolation) {
  const sandbox = await open(isolation);
  const child = sandbox.spawn(process.execPath, ['-e', ECHO, join(world.repo, 'planted.txt'), marker], { PATH: process.env.PATH ?? '', EXTRA: "it's quoted" });
  const lines: string[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
  });
  const until = async (count: number) => {
    for (let i = 0; i < 200 && lines.length < count; i++) await sleep(25);
  };
  await until(1);
  child.stdin!.write('hello\n');
  await until(2);
  const running = processesWithMarker(marker).length;
  const exited = once(child, 'exit');
  await sandbox.close();
  await exited;
  return { sandbox, lines, running };
}

describe('openAttachedSandbox', () => {
  it('runs a program the caller talks to over its pipes, inside the sandbox, and kills it on close', async () => {
    const { sandbox, lines, running } = await converse(bwrap);
    expect(sandbox.sandboxed).toBe(true);
    const first = JSON.parse(lines[0]);
    // The repository is not visible in the sandbox (it lives under /tmp here): what the program wrote
    // there went to the sandbox's own /tmp, never to the host's.
    expect(first).toMatchObject({ tried: { worktree: 'written' }, home: join(world.scratch, 'home'), extra: "it's quoted" });
    expect(lines[1]).toBe('echo: hello');
    expect(existsSync(join(world.worktree, 'in-worktree.txt'))).toBe(true);
    expect(existsSync(join(world.repo, 'planted.txt'))).toBe(false);
    expect(running).toBeGreaterThan(0);
    expect(processesWithMarker(marker)).toEqual([]);
    expect(() => sandbox.spawn('true', [])).toThrow('closed');
  });

  it('does the same unsandboxed, with the private HOME, when the machine has no sandbox', async () => {
    const { lines } = await converse({ kind: 'none' });
    expect(JSON.parse(lines[0])).toMatchObject({ tried: { worktree: 'written', repo: 'written' }, home: join(world.scratch, 'home') });
    expect(readFileSync(join(world.repo, 'planted.txt'), 'utf8')).toBe('x');
    expect(lines[1]).toBe('echo: hello');
    expect(processesWithMarker(marker)).toEqual([]);
  });
});
