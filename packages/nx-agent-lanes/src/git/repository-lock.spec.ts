import * as path from 'node:path';
import { LanesError } from '../errors';
import { LANES_GIT_DIR } from '../layout/paths';
import { readLockHolder } from '../locks/lock-file';
import { createTestRepo, type TestRepo } from './create-test-repo';
import { withRepositoryLock } from './repository-lock';

describe('withRepositoryLock within one process', () => {
  let repo: TestRepo;
  let lockFile: string;
  beforeEach(async () => {
    repo = createTestRepo({ 'a.txt': 'a\n' });
    lockFile = path.join(repo.root, '.git', LANES_GIT_DIR, 'repository.lock');
    // Once found, the repository's git dir is known without git: callers then queue in the order they call.
    await withRepositoryLock(repo.root, { task: 'find the git dir' }, async () => undefined);
  });
  afterEach(() => repo.cleanup());

  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

  it('runs callers one at a time, in the order they came, each holding the lock file', async () => {
    const log: string[] = [];
    let inside = 0;
    const callers = Array.from({ length: 12 }, (_, i) =>
      withRepositoryLock(repo.root, { task: `caller ${i}` }, async () => {
        inside++;
        expect(inside).toBe(1);
        expect(readLockHolder(lockFile)).toMatchObject({ pid: process.pid, task: `caller ${i}` });
        log.push(`start ${i}`);
        await tick();
        log.push(`end ${i}`);
        inside--;
        return i;
      }),
    );
    await expect(Promise.all(callers)).resolves.toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(log).toEqual(Array.from({ length: 12 }, (_, i) => [`start ${i}`, `end ${i}`]).flat());
    expect(readLockHolder(lockFile)).toBeUndefined();
  });

  it('lets the next caller go when one throws', async () => {
    const failing = withRepositoryLock(repo.root, { task: 'fail' }, async () => {
      throw new Error('boom');
    });
    const next = withRepositoryLock(repo.root, { task: 'next' }, async () => 'ran');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
  });

  it('fails a caller that waits past its timeout, naming what holds the lock, and keeps the order of those after it', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const holder = withRepositoryLock(repo.root, { task: 'hold it' }, async () => {
      await held;
      order.push('holder');
    });
    const impatient = withRepositoryLock(repo.root, { task: 'wait briefly', timeoutMs: 50 }, async () => {
      order.push('impatient');
    });
    const patient = withRepositoryLock(repo.root, { task: 'wait long' }, async () => {
      order.push('patient');
    });
    const error = await impatient.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LanesError);
    expect(String((error as Error).message)).toContain('hold it');
    expect(String((error as Error).message)).toContain('wait briefly');
    release();
    await holder;
    await patient;
    expect(order).toEqual(['holder', 'patient']);
  });
});
