import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GitError } from '../errors';
import { createTestRepo, runTestGit, type TestRepo } from './create-test-repo';
import { findRepoRoot, gitCommonDir, headCommit, resolveCommit, tryResolveCommit } from './repo';

describe('repo', () => {
  let repo: TestRepo;
  beforeEach(() => {
    repo = createTestRepo({ 'src/a.ts': 'a\n' });
  });
  afterEach(() => repo.cleanup());

  it('finds the top of the checkout from a subfolder, and its common dir with it', async () => {
    await expect(findRepoRoot(path.join(repo.root, 'src'))).resolves.toBe(repo.root);
    // git names the common dir relative to the subfolder (`../.git`): kept resolved for the top.
    await expect(gitCommonDir(repo.root)).resolves.toBe(path.join(repo.root, '.git'));
    // Found once per folder and process: with git unable to see it, the answer stands.
    fs.renameSync(path.join(repo.root, '.git'), path.join(repo.scratch, 'git-away'));
    try {
      await expect(findRepoRoot(path.join(repo.root, 'src'))).resolves.toBe(repo.root);
    } finally {
      fs.renameSync(path.join(repo.scratch, 'git-away'), path.join(repo.root, '.git'));
    }
  });

  it('says a folder outside any repository is not one, with what to do', async () => {
    const error = await findRepoRoot(repo.scratch).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).message).toContain(`${repo.scratch} is not inside a git repository`);
    expect((error as GitError).hint).toContain('git init');
  });

  it('says a folder that does not exist does not exist', async () => {
    const missing = path.join(repo.scratch, 'nope');
    await expect(findRepoRoot(missing)).rejects.toThrow(new GitError(`The directory ${missing} does not exist, so git cannot run there.`));
  });

  it('resolves branches, short shas and HEAD to the full commit sha', async () => {
    const head = repo.git(['rev-parse', 'HEAD']).trim();
    await expect(headCommit(repo.root)).resolves.toBe(head);
    await expect(resolveCommit(repo.root, 'main')).resolves.toBe(head);
    await expect(resolveCommit(repo.root, head.slice(0, 8))).resolves.toBe(head);
  });

  it('asks git once for a full commit id it resolved in a folder, always for a name, and never for another folder', async () => {
    const head = await headCommit(repo.root);
    const other = createTestRepo({ 'b.txt': 'b\n' });
    try {
      // With the repository out of git's sight, only what was resolved before still resolves.
      fs.renameSync(path.join(repo.root, '.git'), path.join(repo.scratch, 'git-away'));
      await expect(tryResolveCommit(repo.root, head)).resolves.toBe(head);
      await expect(tryResolveCommit(repo.root, 'main')).resolves.toBeUndefined();
      await expect(tryResolveCommit(other.root, head)).resolves.toBeUndefined();
    } finally {
      fs.renameSync(path.join(repo.scratch, 'git-away'), path.join(repo.root, '.git'));
      other.cleanup();
    }
  });

  it('names a missing base and points at feature.jsonc', async () => {
    const error = await resolveCommit(repo.root, 'release/9.9').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).message).toContain('"release/9.9"');
    expect((error as GitError).hint).toContain('git fetch origin release/9.9');
    expect((error as GitError).hint).toContain('feature.jsonc');
  });

  it('never reads a rev as an option', async () => {
    await expect(resolveCommit(repo.root, '--all')).rejects.toThrow(GitError);
  });

  it('explains a shallow clone when the base is older than its history', async () => {
    const first = repo.git(['rev-parse', 'HEAD']).trim();
    repo.write('src/a.ts', 'b\n');
    repo.git(['commit', '-q', '-am', 'second']);
    const clone = path.join(repo.scratch, 'shallow');
    runTestGit(['clone', '-q', '--depth', '1', `file://${repo.root}`, clone], repo.scratch);
    const error = await resolveCommit(clone, first).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).message).toContain(first);
    expect((error as GitError).hint).toContain('git fetch --unshallow');
  });

  it('refuses a repository with no commits', async () => {
    const empty = path.join(repo.scratch, 'empty');
    fs.mkdirSync(empty);
    runTestGit(['init', '-q'], empty);
    await expect(headCommit(empty)).rejects.toThrow(/has no commits yet/);
  });

  it('finds the shared git dir from a linked worktree', async () => {
    const linked = path.join(repo.scratch, 'linked');
    repo.git(['worktree', 'add', '-q', '--detach', linked]);
    await expect(gitCommonDir(linked)).resolves.toBe(path.join(repo.root, '.git'));
  });

  it('says so when git is not on PATH', async () => {
    const saved = process.env.PATH;
    process.env.PATH = fs.mkdtempSync(path.join(os.tmpdir(), 'nx-agent-lanes-nopath-'));
    try {
      const error = await findRepoRoot(repo.root).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GitError);
      expect((error as GitError).message).toBe('git was not found on PATH.');
    } finally {
      fs.rmSync(process.env.PATH, { recursive: true, force: true });
      process.env.PATH = saved;
    }
  });
});
