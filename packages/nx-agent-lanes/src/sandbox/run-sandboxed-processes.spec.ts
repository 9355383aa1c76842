import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxIsolation } from './decide-sandbox';
import { type SandboxWorld, createSandboxWorld, killAll, processesWithMarker, requireBwrap, runIn, sleep } from './__fixtures__/sandbox-fixture';

/*
 * What the sandbox promises about processes, with the real bubblewrap: nothing outlives the
 * command, limits and aborts stop everything, exit codes and signals read as they would unsandboxed,
 * the environment is exactly what the caller gives and output stops at its cap.
 */

let world: SandboxWorld;
let bwrap: SandboxIsolation;
const none: SandboxIsolation = { kind: 'none' };
let marker: string;

beforeAll(() => {
  bwrap = requireBwrap();
});
beforeEach(() => {
  world = createSandboxWorld();
  marker = `nx-agent-lanes-test-marker-${process.pid}-${Math.random().toString(36).slice(2)}`;
});
afterEach(() => {
  killAll(processesWithMarker(marker));
  world.remove();
});

/** A daemon that leaves the process group and session, and beats into a file until killed. */
const daemon = (beat: string) => `setsid -f sh -c 'while :; do echo beat >> "$1"; sleep 0.05; done' ${marker} '${beat}'`;

describe('runSandboxed: processes', () => {
  it('leaves no process behind: a `setsid -f` daemon is gone when the runner returns', async () => {
    const beat = join(world.scratch, 'beat');
    const run = await runIn(world, bwrap, { command: `${daemon(beat)}; sleep 0.3; echo started` });
    expect(run).toMatchObject({ exitCode: 0, stdout: ['started'] });
    expect(processesWithMarker(marker)).toEqual([]);
    const size = statSync(beat).size;
    await sleep(300);
    expect(statSync(beat).size).toBe(size);
  });

  it('(unsandboxed, the same daemon survives: what the sandbox adds)', async () => {
    const beat = join(world.scratch, 'beat');
    const run = await runIn(world, none, { command: `${daemon(beat)}; sleep 0.3; echo started` });
    expect(run).toMatchObject({ exitCode: 0, sandboxed: false });
    expect(processesWithMarker(marker)).not.toEqual([]);
  });

  it('stops everything at the time limit: SIGTERM first, SIGKILL after the grace for what ignores it', async () => {
    const started = Date.now();
    const run = await runIn(world, bwrap, {
      command: `${daemon(join(world.scratch, 'beat'))}; trap '' TERM; sh -c 'trap "" TERM; sleep 30' ${marker}; echo never`,
      timeoutMs: 500,
      killGraceMs: 300,
    });
    expect(run).toMatchObject({ timedOut: true, interrupted: false, exitCode: null, exitSignal: 'SIGKILL' });
    expect(run.stdout).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(processesWithMarker(marker)).toEqual([]);
  });

  it('gives a command that handles SIGTERM its grace, then reports how it ended', async () => {
    const run = await runIn(world, bwrap, { command: `trap 'echo cleaning up; exit 7' TERM; sleep 30 & wait`, timeoutMs: 400, killGraceMs: 5000 });
    expect(run).toMatchObject({ timedOut: true, exitCode: 7, stdout: ['cleaning up'] });
  });

  it('stops everything when the signal aborts, daemons included', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 400);
    const run = await runIn(world, bwrap, {
      command: `${daemon(join(world.scratch, 'beat'))}; sh -c 'sleep 30' ${marker} & sh -c 'sleep 30' ${marker} & wait`,
      signal: controller.signal,
    });
    expect(run).toMatchObject({ interrupted: true, timedOut: false });
    expect(processesWithMarker(marker)).toEqual([]);
  });

  it('does not start a command whose signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const run = await runIn(world, bwrap, { command: 'touch started', signal: controller.signal });
    expect(run).toMatchObject({ interrupted: true, exitCode: null });
    expect(existsSync(join(world.worktree, 'started'))).toBe(false);
  });

  it.each([
    ['exit 3', { exitCode: 3, exitSignal: null }],
    ['kill -KILL $$', { exitCode: null, exitSignal: 'SIGKILL' }],
    ['kill -TERM $$', { exitCode: null, exitSignal: 'SIGTERM' }],
    ['kill -SEGV $$', { exitCode: null, exitSignal: 'SIGSEGV' }],
    ['true', { exitCode: 0, exitSignal: null }],
  ])('maps `%s` to the same exit code and signal as unsandboxed', async (command, expected) => {
    const [inside, outside] = [await runIn(world, bwrap, { command }), await runIn(world, none, { command })];
    expect(inside).toMatchObject(expected);
    expect(outside).toMatchObject(expected);
  });

  it('passes exactly the environment given (plus HOME and TMPDIR), never this process’s own, sandboxed or not', async () => {
    process.env.NX_AGENT_LANES_LEAK_CANARY = 'must not leak';
    try {
      const env = { PATH: '/usr/bin:/bin', GIVEN: 'yes', LANE_NAME: 'backend' };
      const names = async (isolation: SandboxIsolation) =>
        (await runIn(world, isolation, { command: 'env', env })).stdout.map((l) => l.split('=')[0]).sort();
      const [inside, outside] = [await names(bwrap), await names(none)];
      expect(inside).toEqual(outside);
      // What /bin/sh itself sets (PWD, and OLDPWD/SHLVL on some shells) is all that is added.
      expect(inside.filter((n) => !['PWD', 'OLDPWD', 'SHLVL', '_'].includes(n))).toEqual(['GIVEN', 'HOME', 'LANE_NAME', 'PATH', 'TMPDIR']);
    } finally {
      delete process.env.NX_AGENT_LANES_LEAK_CANARY;
    }
  });

  it('writes stdin to the command and closes it', async () => {
    const run = await runIn(world, bwrap, { command: 'cat; echo "[end]"', stdin: 'the prompt\nsecond line' });
    expect(run.stdout).toEqual(['the prompt', 'second line[end]']);
  });

  it('hands out output up to the cap, then drops the rest with one marker, and keeps memory flat under a flood', async () => {
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const run = await runIn(world, bwrap, {
      command: 'echo first; head -c 200000000 /dev/zero | tr "\\0" x; echo; echo last',
      outputCapBytes: 10_000,
    }).finally(() => clearInterval(sampler));
    expect(run.exitCode).toBe(0);
    // 200 MB went through; what was kept is 10 kB, and memory grows by a fraction of the flood.
    expect(peak - before).toBeLessThan(100_000_000);
    const kept = run.lines.slice(0, -1).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(kept).toBeLessThanOrEqual(10_001);
    expect(run.stdout[0]).toBe('first');
    expect(run.lines.at(-1)).toMatch(/^\[nx-agent-lanes: output cap of 9.8 KiB reached; [\d.]+ [KM]?i?B more dropped \(raise limits.outputBytes in feature.jsonc to keep more\)\]$/);
    expect(run.outputBytes).toBeGreaterThan(200_000_000);
    expect(run.droppedBytes).toBe(run.outputBytes - 10_000);
  });

  it('runs the output through the filter before capping and cutting lines (a secret is never split)', async () => {
    const secret = 'sk-ant-SECRET-VALUE';
    const filter = () => {
      let held = '';
      // Holds back a possible start of the secret across chunks, as a stream redactor must.
      return {
        push: (text: string) => {
          const all = (held + text).split(secret).join('[redacted]');
          const keep = Math.min(all.length, secret.length - 1);
          held = all.slice(all.length - keep);
          return all.slice(0, all.length - keep);
        },
        end: () => held,
      };
    };
    const run = await runIn(world, bwrap, {
      command: `printf 'key=sk-ant-SEC'; sleep 0.1; printf 'RET-VALUE\\nnext\\n'`,
      createOutputFilter: filter,
      // Capped before the filter, these 14 bytes would be `key=sk-ant-SEC`.
      outputCapBytes: 14,
    });
    expect(run.stdout).toEqual(['key=[redacted]']);
    expect(run.lines.join('\n')).not.toContain('sk-ant');
  });

  it('holds no capabilities, even started by root: it cannot mount, remount or make devices', async () => {
    const run = await runIn(world, bwrap, {
      command: `grep CapEff /proc/self/status; mount -t tmpfs none "$TMPDIR" 2>/dev/null || echo no mount; mount -o remount,rw / 2>/dev/null || echo no remount; mknod "$TMPDIR/sda" b 8 0 2>/dev/null || echo no mknod`,
    });
    expect(run.stdout).toEqual(['CapEff:\t0000000000000000', 'no mount', 'no remount', 'no mknod']);
  });

  it('runs the command in a PID namespace of its own, and says in its result that it was sandboxed', async () => {
    const run = await runIn(world, bwrap, { command: 'cat /proc/1/cmdline | tr "\\0" " "; echo; echo $$' });
    expect(run).toMatchObject({ sandboxed: true, exitCode: 0 });
    // PID 1 is bwrap's reaper, the command PID 2: its own PID namespace.
    expect(run.stdout).toEqual([expect.stringMatching(/^\S*bwrap --unshare-all /), '2']);
  });
});
