import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestRepo, type TestRepo } from '../git/create-test-repo';
import { LanesError } from '../errors';
import { acquireLaneLock } from './lane-lock';

describe('acquireLaneLock', () => {
  let repo: TestRepo;
  const lockFile = () => join(repo.root, '.git', 'nx-agent-lanes', 'locks', 'f--lane--api.lock');
  const holdAs = (pid: number, agentPgid?: number) => {
    mkdirSync(join(repo.root, '.git', 'nx-agent-lanes', 'locks'), { recursive: true });
    writeFileSync(lockFile(), JSON.stringify({ pid, startedAt: '2026-11-25T10:00:00.000Z', task: 'f:lane--api', agentPgid }));
  };

  beforeEach(() => (repo = createTestRepo()));
  afterEach(() => repo.cleanup());

  it('takes and releases the lock in the git common dir', async () => {
    const lock = await acquireLaneLock({ repoRoot: repo.root, feature: 'f', name: 'lane--api' });
    expect(existsSync(lockFile())).toBe(true);
    lock.release();
    expect(existsSync(lockFile())).toBe(false);
  });

  it('refuses while another live run holds it, saying which and what to do', async () => {
    holdAs(4242);
    const attempt = acquireLaneLock({ repoRoot: repo.root, feature: 'f', name: 'lane--api', isAlive: (pid) => pid === 4242 });
    await expect(attempt).rejects.toBeInstanceOf(LanesError);
    await expect(attempt).rejects.toThrow('f:lane--api is already running in this repository (pid 4242, since 2026-11-25T10:00:00.000Z).');
    expect(existsSync(lockFile())).toBe(true);
  });

  it('takes over a lock whose process is gone', async () => {
    holdAs(4242);
    const lock = await acquireLaneLock({ repoRoot: repo.root, feature: 'f', name: 'lane--api', isAlive: () => false });
    lock.release();
    expect(existsSync(lockFile())).toBe(false);
  });

  it('stops the agent a killed run left behind when it takes over the lock', async () => {
    const orphan = spawn('/bin/sh', ['-c', 'sleep 30 & wait'], { detached: true, stdio: 'ignore' });
    const exited = new Promise((resolve) => orphan.on('exit', resolve));
    holdAs(4242, orphan.pid);
    const lock = await acquireLaneLock({ repoRoot: repo.root, feature: 'f', name: 'lane--api', isAlive: (pid) => pid !== 4242 });
    await expect(exited).resolves.not.toBe(0);
    lock.release();
  });
});
