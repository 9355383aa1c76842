import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestRepo, type TestRepo } from '../git/create-test-repo';
import { LanesError } from '../errors';
import { deadPid, procState, spawnLive, spawnZombie, type Spawned } from '../locks/__fixtures__/processes';
import { isProcessGroupRunning, readProcessIdentity, type ProcessIdentity } from '../locks/process-identity';
import { acquireLaneLock, stopOrphanedAgents } from './lane-lock';


describe('acquireLaneLock', () => {
  let repo: TestRepo;
  const started: Spawned[] = [];
  const lockFile = () => join(repo.root, '.git', 'nx-agent-lanes', 'locks', 'f--lane--api.lock');
  const holdAs = (holder: ProcessIdentity & { agentGroup?: ProcessIdentity; agentPgid?: number }) => {
    mkdirSync(join(repo.root, '.git', 'nx-agent-lanes', 'locks'), { recursive: true });
    writeFileSync(lockFile(), JSON.stringify({ ...holder, since: '2026-11-25T10:00:00.000Z', task: 'f:lane--api', token: 'theirs' }));
  };
  const acquire = () => acquireLaneLock({ repoRoot: repo.root, feature: 'f', name: 'lane--api' });
  const live = async () => {
    const p = await spawnLive();
    started.push(p);
    return p;
  };

  beforeEach(() => (repo = createTestRepo()));
  afterEach(() => {
    started.splice(0).forEach((p) => p.stop());
    repo.cleanup();
  });

  it('takes and releases the lock in the git common dir, naming this process by pid and start time', async () => {
    const lock = await acquire();
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toMatchObject({ task: 'f:lane--api', ...readProcessIdentity(process.pid) });
    lock.release();
    expect(existsSync(lockFile())).toBe(false);
  });

  it('refuses while the recorded process still runs, naming the task, its pid and its start time', async () => {
    const holder = await live();
    const identity = readProcessIdentity(holder.pid)!;
    holdAs(identity);
    const attempt = acquire();
    await expect(attempt).rejects.toBeInstanceOf(LanesError);
    await expect(attempt).rejects.toThrow(
      `f:lane--api is already running in this repository (pid ${holder.pid}, since 2026-11-25T10:00:00.000Z, process started at tick ${identity.startTime} after boot).`,
    );
    expect(JSON.parse(readFileSync(lockFile(), 'utf8')).token).toBe('theirs');
  });

  it('takes over a lock whose holder is a zombie (killed, never reaped)', async () => {
    const zombie = await spawnZombie();
    started.push(zombie);
    holdAs(readProcessIdentity(zombie.pid)!);
    const lock = await acquire();
    expect(JSON.parse(readFileSync(lockFile(), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('takes over a lock whose pid now belongs to another process', async () => {
    const other = await live();
    holdAs({ ...readProcessIdentity(other.pid)!, startTime: '1' });
    const lock = await acquire();
    expect(JSON.parse(readFileSync(lockFile(), 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(procState(other.pid)).toBeDefined();
  });

  it('takes over a lock whose process is gone, including one written before start times were kept', async () => {
    writeFileSync(join(mkdirP(join(repo.root, '.git', 'nx-agent-lanes', 'locks')), 'f--lane--api.lock'), JSON.stringify({ pid: deadPid(), startedAt: '2026-11-25T10:00:00.000Z', task: 'f:lane--api' }));
    const lock = await acquire();
    lock.release();
    expect(existsSync(lockFile())).toBe(false);
  });

  it('leaves a lock alone on release once another run has taken it over', async () => {
    const lock = await acquire();
    holdAs({ pid: deadPid() });
    lock.release();
    expect(JSON.parse(readFileSync(lockFile(), 'utf8')).token).toBe('theirs');
  });

  it('stops the agent a killed run left behind when it takes over the lock', async () => {
    const orphan = spawn('/bin/sh', ['-c', 'sleep 30 & wait'], { detached: true, stdio: 'ignore' });
    const exited = new Promise((resolve) => orphan.on('exit', resolve));
    holdAs({ pid: deadPid(), agentGroup: readProcessIdentity(orphan.pid!) });
    const lock = await acquire();
    await expect(exited).resolves.not.toBe(0);
    lock.release();
  });

  it('leaves alone a process group whose recorded leader pid now names another process', async () => {
    const other = await live();
    holdAs({ pid: deadPid(), agentGroup: { ...readProcessIdentity(other.pid)!, startTime: '1' } });
    const lock = await acquire();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(procState(other.pid)).not.toBe('Z');
    expect(procState(other.pid)).toBeDefined();
    lock.release();
  });

  it('stops the agents of killed runs from their locks, before any lane takes a lock over, and leaves live runs\u2019 agents alone', async () => {
    const orphan = spawn('/bin/sh', ['-c', 'sleep 30 & wait'], { detached: true, stdio: 'ignore' });
    const exited = new Promise((resolve) => orphan.on('exit', resolve));
    holdAs({ pid: deadPid(), agentGroup: readProcessIdentity(orphan.pid!) });
    const running = await live();
    const liveAgent = await live();
    writeFileSync(
      join(repo.root, '.git', 'nx-agent-lanes', 'locks', 'f--lane--web.lock'),
      JSON.stringify({ ...readProcessIdentity(running.pid), since: 'now', task: 'f:lane--web', token: 't', agentGroup: readProcessIdentity(liveAgent.pid) }),
    );

    await expect(stopOrphanedAgents(repo.root)).resolves.toEqual([`stopped the agents of a killed f:lane--api run (process group ${orphan.pid})`]);
    await expect(exited).resolves.not.toBe(0);
    expect(procState(liveAgent.pid)).toBeDefined();
    expect(existsSync(lockFile())).toBe(true);
    // The leader's exit comes first; its `sleep` may take a moment more to die of the SIGKILL, and
    // until then a second look rightly stops the group again.
    for (let waited = 0; isProcessGroupRunning(orphan.pid!) && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(stopOrphanedAgents(repo.root)).resolves.toEqual([]);
  });

  it('records the agent group with its leader\u2019s identity', async () => {
    const lock = await acquire();
    lock.recordAgentGroup(process.pid);
    expect(JSON.parse(readFileSync(lockFile(), 'utf8')).agentGroup).toEqual(readProcessIdentity(process.pid));
    lock.release();
    expect(existsSync(lockFile())).toBe(false);
  });
});

function mkdirP(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
