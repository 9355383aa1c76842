import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestRepo, testGitEnv, type TestRepo } from './create-test-repo';
import { createLaneWorktree, removeLaneWorktree } from './lane-worktree';
import { compareRepository, type RepositorySnapshot } from './repository-fingerprint';
import { checkRepository, watchRepository } from './watch-repository';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const snapshot = (extra: Partial<RepositorySnapshot> = {}): RepositorySnapshot => ({
  repoRoot: '/r',
  commonDir: '/r/.git',
  startedAt: 0,
  endedAt: 0,
  refs: {},
  lastLogMessages: {},
  heads: { HEAD: 'ref: refs/heads/main\n' },
  files: {},
  own: { adminDir: 'worktrees/api', branch: 'refs/heads/agent-lanes/f/api/1', branchMayMove: true },
  featureBranch: 'refs/heads/lanes/f',
  ...extra,
});
const file = (sha256: string) => ({ type: 'file' as const, mode: 0o644, sha256 });

describe('compareRepository', () => {
  it("names moved, created and deleted refs, and ignores the plugin's other branches", () => {
    const before = snapshot({ refs: { 'refs/heads/main': A, 'refs/tags/v1': A, 'refs/heads/agent-lanes/f/web/1': A } });
    const after = snapshot({ refs: { 'refs/heads/main': B, 'refs/heads/lanes/f': B, 'refs/heads/agent-lanes/f/web/2': B } });
    expect(compareRepository(before, after).map((c) => [c.kind, c.message])).toEqual([
      ['ref', 'refs/heads/lanes/f was created at bbbbbbbbbb'],
      ['ref', 'refs/heads/main moved from aaaaaaaaaa to bbbbbbbbbb'],
      ['ref', 'refs/tags/v1 was deleted (it pointed at aaaaaaaaaa)'],
    ]);
  });

  it("lets an agent commit on its own branch but not verify's tests, and never lets it leave its branch", () => {
    const own = 'refs/heads/agent-lanes/f/api/1';
    const heads = { HEAD: 'ref: refs/heads/main\n', 'worktrees/api/HEAD': `ref: ${own}\n` };
    const moved = (branchMayMove: boolean) =>
      compareRepository(
        snapshot({ refs: { [own]: A }, heads, own: { adminDir: 'worktrees/api', branch: own, branchMayMove } }),
        snapshot({ refs: { [own]: B }, heads: { ...heads, 'worktrees/api/HEAD': 'ref: refs/heads/main\n' } }),
      ).map((c) => c.message);
    expect(moved(true)).toEqual([`the worktree left its branch agent-lanes/f/api/1: its HEAD is now "ref: refs/heads/main"`]);
    expect(moved(false)[0]).toBe('its own branch agent-lanes/f/api/1 moved from aaaaaaaaaa to bbbbbbbbbb');
  });

  it("lets another feature's integrate move its lanes branch, by its reflog, but not this feature's", () => {
    const before = snapshot({ refs: { 'refs/heads/lanes/g': A, 'refs/heads/lanes/f': A } });
    const after = snapshot({
      refs: { 'refs/heads/lanes/g': B, 'refs/heads/lanes/f': B },
      lastLogMessages: { 'refs/heads/lanes/g': 'nx-agent-lanes: update lanes/g', 'refs/heads/lanes/f': 'nx-agent-lanes: update lanes/f' },
    });
    expect(compareRepository(before, after).map((c) => c.name)).toEqual(['refs/heads/lanes/f']);
  });

  it("names a checkout's HEAD and .git files that came, changed and went, but not a pruned worktree's folder", () => {
    const before = snapshot({
      files: { config: file('1'), 'hooks/pre-commit.sample': file('2'), 'worktrees/old/gitdir': file('3') },
      heads: { HEAD: 'ref: refs/heads/main\n', 'worktrees/old/HEAD': 'ref: refs/heads/x\n' },
    });
    const after = snapshot({ files: { config: file('9'), 'hooks/pre-commit': file('4') }, heads: { HEAD: 'ref: refs/heads/other\n' } });
    expect(compareRepository(before, after).map((c) => c.message)).toEqual([
      'the HEAD of your checkout changed from "ref: refs/heads/main" to "ref: refs/heads/other"',
      '.git/config changed',
      '.git/hooks/pre-commit was added',
      '.git/hooks/pre-commit.sample was removed',
    ]);
  });
});

describe('watchRepository', () => {
  let repo: TestRepo;
  beforeEach(() => {
    repo = createTestRepo();
  });
  afterEach(() => repo.cleanup());
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: testGitEnv(), encoding: 'utf8' }).trim();

  it('puts back what came through the worktree, and leaves a branch moved from elsewhere, saying how to put it back', async () => {
    const wt = await createLaneWorktree({ repoRoot: repo.root, feature: 'f', lane: 'api', baseCommit: 'HEAD', worktreesRoot: join(repo.scratch, 'wt') });
    const watch = await watchRepository(repo.root, { worktree: { path: wt.path, branch: wt.branch, branchMayMove: true }, featureBranch: 'lanes/f', by: 'f/api agent' });
    const config = readFileSync(join(repo.root, '.git/config'));
    writeFileSync(join(repo.root, '.git/hooks/post-checkout'), '#!/bin/sh\n', { mode: 0o755 });
    git(wt.path, 'config', 'core.fsmonitor', '/bin/false');
    git(wt.path, 'branch', 'planted');
    git(repo.root, 'commit', '-q', '--allow-empty', '-m', 'the user, meanwhile');
    const check = await watch.check();
    expect(check.restored).toEqual([
      expect.stringMatching(/^refs\/heads\/planted was created at [0-9a-f]{10}: deleted again$/),
      '.git/config changed (set core.fsmonitor): put back as it was',
      '.git/hooks/post-checkout was added: removed again',
    ]);
    expect(check.kept).toEqual([
      expect.stringMatching(/^refs\/heads\/main moved from [0-9a-f]{10} to [0-9a-f]{10}: not put back, since it was not moved from the lane's worktree; if you did not do this yourself, run `git update-ref refs\/heads\/main [0-9a-f]{40}`$/),
    ]);
    expect(readFileSync(join(repo.root, '.git/config'))).toEqual(config);
    expect(existsSync(join(repo.root, '.git/hooks/post-checkout'))).toBe(false);
    expect(git(repo.root, 'branch', '--list', 'planted')).toBe('');
    await expect(checkRepository(watch, 'the agent')).resolves.toMatch(/^the agent changed the repository outside its worktree, which no lane may do\. left as found: refs\/heads\/main moved/);
    await removeLaneWorktree(wt);
  });

  it("checks the git folder the watched worktree had before it ran, even after its .git file names another worktree's", async () => {
    const worktreesRoot = join(repo.scratch, 'wt');
    const wt = await createLaneWorktree({ repoRoot: repo.root, feature: 'f', lane: 'api', baseCommit: 'HEAD', worktreesRoot });
    const other = await createLaneWorktree({ repoRoot: repo.root, feature: 'f', lane: 'web', baseCommit: 'HEAD', worktreesRoot });
    const watch = await watchRepository(repo.root, { worktree: { path: wt.path, branch: wt.branch, branchMayMove: true }, by: 'f/api agent' });
    const adminDir = git(wt.path, 'rev-parse', '--absolute-git-dir');
    const pointer = readFileSync(join(wt.path, '.git'));
    writeFileSync(join(adminDir, 'config.worktree'), '[core]\n\tfsmonitor = /bin/false\n');
    writeFileSync(join(wt.path, '.git'), `gitdir: ${git(other.path, 'rev-parse', '--absolute-git-dir')}\n`);
    const check = await watch.check();
    writeFileSync(join(wt.path, '.git'), pointer);
    const id = adminDir.slice(adminDir.lastIndexOf('/') + 1);
    expect(check.changes.map((c) => c.name)).toContain(`worktrees/${id}/config.worktree`);
    expect(existsSync(join(adminDir, 'config.worktree'))).toBe(false);
    await removeLaneWorktree(wt);
    await removeLaneWorktree(other);
  });

  it('counts a file that goes between its lstat and its read as gone, as when another run removes its worktree meanwhile', async () => {
    const wt = await createLaneWorktree({ repoRoot: repo.root, feature: 'f', lane: 'api', baseCommit: 'HEAD', worktreesRoot: join(repo.scratch, 'wt') });
    const watch = await watchRepository(repo.root, { worktree: { path: wt.path, branch: wt.branch, branchMayMove: true }, by: 'f/api agent' });
    // Added after the first snapshot, and removed file by file while the second one reads it.
    git(repo.root, 'worktree', 'add', '-q', '--detach', join(repo.scratch, 'going'));
    const nodeFs: typeof import('node:fs') = jest.requireActual('node:fs');
    const read = nodeFs.readFileSync;
    const spy = jest.spyOn(nodeFs, 'readFileSync').mockImplementation(((file: string, ...rest: unknown[]) => {
      if (String(file).endsWith(join('worktrees', 'going', 'commondir'))) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${file}'`), { code: 'ENOENT' });
      return (read as (...args: unknown[]) => unknown)(file, ...rest);
    }) as typeof read);
    try {
      await expect(watch.check()).resolves.toMatchObject({ changes: [] });
      expect(spy.mock.calls.some(([file]) => String(file).endsWith(join('worktrees', 'going', 'commondir')))).toBe(true);
    } finally {
      spy.mockRestore();
    }
    await removeLaneWorktree(wt);
  });

  it('finds nothing when nothing moved', async () => {
    const watch = await watchRepository(repo.root, { by: 'test' });
    await expect(checkRepository(watch, 'the agent')).resolves.toBeUndefined();
  });
});
