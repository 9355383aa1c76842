import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestRepo, type TestRepo } from './create-test-repo';
import { readGitDirPointer, readWorktreeAdminDir, worktreeAdminDir } from './worktree-admin-dir';

describe('worktreeAdminDir', () => {
  let repo: TestRepo;
  beforeEach(() => {
    repo = createTestRepo();
  });
  afterEach(() => repo.cleanup());

  it("finds a linked worktree's git folder as git does, for a path beyond ASCII and a relative pointer too", async () => {
    const wt = join(repo.scratch, 'wt-é');
    repo.git(['worktree', 'add', '-q', '--detach', wt]);
    const asGitSays = realpathSync(repo.git(['rev-parse', '--absolute-git-dir'], wt).trim());
    await expect(worktreeAdminDir(repo.root, wt)).resolves.toBe(asGitSays);
    expect(readGitDirPointer(wt)).toBe(repo.git(['rev-parse', '--absolute-git-dir'], wt).trim());
    writeFileSync(join(wt, '.git'), `gitdir: ${join('..', '..', 'repo', '.git', 'worktrees', 'wt-é')}\n`);
    await expect(worktreeAdminDir(repo.root, wt)).resolves.toBe(asGitSays);
  });

  it('refuses a main checkout, a .git file naming a folder outside the worktrees folder, and one naming nothing', async () => {
    await expect(readWorktreeAdminDir(repo.root, repo.root)).resolves.toEqual({ problem: expect.stringContaining('is not the file git writes in a worktree') });
    const wt = join(repo.scratch, 'wt');
    repo.git(['worktree', 'add', '-q', '--detach', wt]);
    const elsewhere = join(repo.scratch, 'elsewhere');
    mkdirSync(elsewhere);
    writeFileSync(join(wt, '.git'), `gitdir: ${elsewhere}\n`);
    await expect(readWorktreeAdminDir(repo.root, wt)).resolves.toEqual({ problem: expect.stringContaining('does not name a worktree folder of') });
    await expect(worktreeAdminDir(repo.root, wt)).rejects.toThrow(/is not a worktree nx-agent-lanes can use/);
    writeFileSync(join(wt, '.git'), 'not a pointer\n');
    expect(readGitDirPointer(wt)).toBe('');
    await expect(readWorktreeAdminDir(repo.root, wt)).resolves.toEqual({ problem: expect.stringContaining('does not name a worktree folder of') });
  });
});
