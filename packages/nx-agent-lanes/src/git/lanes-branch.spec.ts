import * as path from 'node:path';
import { GitError } from '../errors';
import { createTestRepo, type TestRepo } from './create-test-repo';
import { updateBranch } from './lanes-branch';

describe('updateBranch', () => {
  let repo: TestRepo;
  let first: string;
  let second: string;
  beforeEach(() => {
    repo = createTestRepo({ 'a.txt': '1\n' });
    first = repo.git(['rev-parse', 'HEAD']).trim();
    repo.write('a.txt', '2\n');
    repo.git(['commit', '-q', '-am', 'second']);
    second = repo.git(['rev-parse', 'HEAD']).trim();
  });
  afterEach(() => repo.cleanup());

  const tip = (branch: string) => repo.git(['rev-parse', `refs/heads/${branch}`]).trim();

  it('creates and moves a branch without checking it out', async () => {
    await updateBranch(repo.root, 'lanes/export', first);
    expect(tip('lanes/export')).toBe(first);
    await updateBranch(repo.root, 'lanes/export', second, first);
    expect(tip('lanes/export')).toBe(second);
    expect(repo.git(['symbolic-ref', '--short', 'HEAD']).trim()).toBe('main');
  });

  it('only creates a branch that does not exist when expectedOld is empty', async () => {
    await updateBranch(repo.root, 'lanes/export', first, '');
    await expect(updateBranch(repo.root, 'lanes/export', second, '')).rejects.toThrow(/moved while nx-agent-lanes was updating it/);
    expect(tip('lanes/export')).toBe(first);
  });

  it('leaves the branch alone when it is not where the caller last saw it', async () => {
    await updateBranch(repo.root, 'lanes/export', second);
    const error = await updateBranch(repo.root, 'lanes/export', first, first).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect(tip('lanes/export')).toBe(second);
  });

  it("refuses the branch of the user's checkout and of any other worktree", async () => {
    const mine = await updateBranch(repo.root, 'main', first).catch((e: unknown) => e);
    expect(mine).toBeInstanceOf(GitError);
    expect((mine as GitError).message).toBe(`The branch main is checked out in your checkout at ${repo.root}, so nx-agent-lanes will not move it.`);
    const other = path.join(repo.scratch, 'other');
    repo.git(['worktree', 'add', '-q', '-b', 'lanes/busy', other, first]);
    await expect(updateBranch(repo.root, 'lanes/busy', second)).rejects.toThrow(`checked out in the worktree at ${other}`);
    expect(tip('main')).toBe(second);
    expect(tip('lanes/busy')).toBe(first);
  });

  it('names a bad branch name or a missing commit', async () => {
    await expect(updateBranch(repo.root, 'lanes/bad..name', first)).rejects.toThrow('"lanes/bad..name" is not a valid git branch name.');
    await expect(updateBranch(repo.root, 'lanes/export', 'f'.repeat(40))).rejects.toThrow(`"${'f'.repeat(40)}" does not exist`);
  });
});
