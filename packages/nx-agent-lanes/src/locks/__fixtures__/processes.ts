/**
 * Test support: real processes in the states a lock holder can be found in (live, zombie,
 * gone), for the lock specs. Linux only: the states are read from /proc.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

async function waitUntil(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface Spawned {
  pid: number;
  /** Stops it (and, for a zombie, the parent that never reaps it). */
  stop(): void;
}

/** A `sleep` that lives until stopped, leading its own process group. */
export async function spawnLive(): Promise<Spawned> {
  const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
  await waitUntil(() => child.pid !== undefined && procState(child.pid) !== undefined, 'sleep to start');
  return { pid: child.pid!, stop: () => kill(child) };
}

/**
 * A real zombie: `sh` starts `sleep 0.1` in the background, then becomes `sleep 60`, which
 * never waits for children; so the short sleep, once it exits, stays a zombie until the long
 * one is stopped.
 */
export async function spawnZombie(): Promise<Spawned> {
  const parent = spawn('/bin/sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 60'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((resolve, reject) => {
    let out = '';
    parent.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    parent.on('error', reject);
  });
  await waitUntil(() => procState(pid) === 'Z', `pid ${pid} to become a zombie`);
  return { pid, stop: () => kill(parent) };
}

/** The pid of a process that has exited and been reaped. */
export function deadPid(): number {
  return Number(spawnSync('/bin/sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
}

function kill(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}
