import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LanesError } from '../errors';
import { deadPid, spawnLive } from './__fixtures__/processes';
import { readLockHolder, tryLockFile, waitForLockFile, type LockHolder } from './lock-file';
import { readProcessIdentity } from './process-identity';

describe('lock files', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nx-agent-lanes-lock-'));
    file = path.join(dir, 'sub', 'repository.lock');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const record = (holder: Partial<LockHolder>) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ task: 'prune stale lane worktrees', since: '2026-11-25T10:00:00.000Z', token: 'theirs', ...holder }));
  };

  it('is taken whole, released by its taker only, and leaves nothing beside it', () => {
    const first = tryLockFile({ file, record: { task: 'one' } });
    expect(first.acquired).toBe(true);
    expect(readLockHolder(file)).toMatchObject({ task: 'one', pid: process.pid });
    const second = tryLockFile({ file, record: { task: 'two' } });
    expect(second).toEqual({ acquired: false, holder: expect.objectContaining({ task: 'one' }) });
    if (first.acquired) first.lock.release();
    expect(fs.readdirSync(path.dirname(file))).toEqual([]);
  });

  it('waits for a holder in this very process to release it', async () => {
    const first = tryLockFile({ file, record: { task: 'one' } });
    setTimeout(() => first.acquired && first.lock.release(), 200);
    const second = await waitForLockFile({ file, record: { task: 'two' }, timeoutMs: 10_000 });
    expect(readLockHolder(file)?.task).toBe('two');
    second.release();
  });

  it('gives up after the bound, naming the holder and what to do', async () => {
    const holder = await spawnLive();
    try {
      const identity = readProcessIdentity(holder.pid)!;
      record(identity);
      const waiting = waitForLockFile({ file, record: { task: 'create the f/api worktree' }, timeoutMs: 50, sleep: async () => undefined });
      await expect(waiting).rejects.toBeInstanceOf(LanesError);
      await expect(waiting).rejects.toThrow(
        `Waited 0 s for ${file}, held by prune stale lane worktrees (pid ${holder.pid}, started at tick ${identity.startTime} after boot, since 2026-11-25T10:00:00.000Z), to create the f/api worktree.`,
      );
      await waiting.catch((error: LanesError) => expect(error.hint).toBe(`If no nx-agent-lanes run is going on in this repository, delete ${file} and run again.`));
    } finally {
      holder.stop();
    }
  });

  it('takes over a dead holder\u2019s lock, and an unreadable one only once it is old', () => {
    record({ pid: deadPid() });
    const taken = tryLockFile({ file, record: { task: 'mine' } });
    expect(taken.acquired).toBe(true);
    if (taken.acquired) taken.lock.release();

    fs.writeFileSync(file, '{"pid": 12');
    expect(tryLockFile({ file, record: { task: 'mine' } })).toEqual({ acquired: false });
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    expect(tryLockFile({ file, record: { task: 'mine' } }).acquired).toBe(true);
  });

  it('puts back a lock that another process took over between our look and our move', () => {
    record({ pid: deadPid() });
    const result = tryLockFile<LockHolder>({
      file,
      record: { task: 'mine' },
      isLive: (holder) => holder.token === 'newer',
      // Another process replaces the stale lock with its own just after we judged it stale.
      onStale: () => record({ pid: process.pid, token: 'newer' }),
    });
    expect(result).toEqual({ acquired: false, holder: expect.objectContaining({ token: 'newer' }) });
    expect(readLockHolder(file)?.token).toBe('newer');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['repository.lock']);
  });
});
