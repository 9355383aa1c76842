import * as fs from 'node:fs';
import * as path from 'node:path';
import { GitError } from '../errors';
import { createTestRepo, type TestRepo } from './create-test-repo';
import { applyLanePatch, binaryAttributes, captureLanePatch, listWorktreeChanges, patchFiles } from './lane-patch';
import { createLaneWorktree, type LaneWorktree } from './lane-worktree';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0xff, 0x00, 0x10]);

describe('lane patches', () => {
  let repo: TestRepo;
  let counter = 0;
  beforeEach(() => {
    repo = createTestRepo({
      '.gitignore': 'dist/\n',
      'src/edit.ts': 'export const edit = 1;\n',
      'src/remove.ts': 'export const remove = 1;\n',
      'src/rename-me.ts': 'export const longEnoughToBeRecognisedAsTheSameFile = "yes, the same file";\n',
      'assets/logo.png': PNG,
      'docs/latin1.txt': Buffer.from('caf\xe9\n', 'latin1'),
    });
    repo.write('node_modules/dep/index.js', 'module.exports = 1;\n');
  });
  afterEach(() => repo.cleanup());

  const newWorktree = (): Promise<LaneWorktree> =>
    createLaneWorktree({
      repoRoot: repo.root,
      feature: 'export',
      lane: `lane${++counter}`,
      baseCommit: 'HEAD',
      worktreesRoot: path.join(repo.scratch, 'worktrees'),
    });

  /** The kinds of change an agent makes, plus files a lane must never ship. */
  function changeEverything(worktree: string): void {
    repo.write('src/edit.ts', 'export const edit = 2;\n', worktree);
    fs.rmSync(path.join(worktree, 'src/remove.ts'));
    fs.renameSync(path.join(worktree, 'src/rename-me.ts'), path.join(worktree, 'src/renamed.ts'));
    repo.write('src/new file.ts', 'export const added = true;\n', worktree);
    repo.write('assets/logo.png', Buffer.concat([PNG, Buffer.from([0x00, 0x01, 0x02])]), worktree);
    repo.write('docs/latin1.txt', Buffer.from('caf\xe9 cr\xe8me\n', 'latin1'), worktree);
    repo.write('dist/bundle.js', 'ignored by .gitignore\n', worktree);
  }

  it('captures edits, deletions, renames, new and binary files, leaving out node_modules and ignored files', async () => {
    const wt = await newWorktree();
    changeEverything(wt.path);

    const captured = await captureLanePatch({ worktree: wt.path, baseCommit: wt.startCommit });

    expect([...captured.files].sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: 'assets/logo.png', status: 'modified' },
      { path: 'docs/latin1.txt', status: 'modified' },
      { path: 'src/edit.ts', status: 'modified' },
      { path: 'src/new file.ts', status: 'added' },
      { path: 'src/remove.ts', status: 'deleted' },
      { path: 'src/renamed.ts', status: 'renamed', from: 'src/rename-me.ts' },
    ]);
    // The PNG and the Latin-1 text travel as binary; UTF-8 text stays readable for review.
    expect(captured.patch.match(/GIT binary patch/g)).toHaveLength(2);
    expect(captured.patch).toContain('+export const edit = 2;');
    expect(captured.patch).not.toContain('node_modules');
    expect(captured.patch).not.toContain('dist/bundle.js');
    expect(patchFiles(captured.patch).sort()).toEqual(
      ['assets/logo.png', 'docs/latin1.txt', 'src/edit.ts', 'src/new file.ts', 'src/remove.ts', 'src/rename-me.ts', 'src/renamed.ts'].sort(),
    );
  });

  it('reproduces the same tree when applied to a fresh worktree, byte for byte', async () => {
    const source = await newWorktree();
    changeEverything(source.path);
    const { patch } = await captureLanePatch({ worktree: source.path, baseCommit: source.startCommit });
    const sourceTree = repo.git(['write-tree'], source.path).trim();

    const target = await newWorktree();
    const applied = await applyLanePatch({ worktree: target.path, patch, commitMessage: 'lane 1' });

    expect(applied.files).toEqual(patchFiles(patch));
    expect(repo.git(['rev-parse', 'HEAD^{tree}'], target.path).trim()).toBe(sourceTree);
    expect(fs.readFileSync(path.join(target.path, 'docs/latin1.txt'))).toEqual(Buffer.from('caf\xe9 cr\xe8me\n', 'latin1'));
    expect(repo.git(['log', '-1', '--format=%s|%an <%ae>|%cn'], target.path).trim()).toBe(
      'lane 1|nx-agent-lanes <agent-lanes@localhost>|nx-agent-lanes',
    );
    expect(repo.git(['status', '--porcelain'], target.path)).toBe('?? node_modules\n');
  });

  it('includes what the agent committed itself, and leaves out excluded paths', async () => {
    const wt = await newWorktree();
    repo.write('src/committed.ts', 'export const c = 1;\n', wt.path);
    repo.git(['add', 'src/committed.ts'], wt.path);
    repo.git(['commit', '-q', '-m', 'agent commit'], wt.path);
    repo.write('src/edit.ts', 'export const edit = 3;\n', wt.path);
    repo.write('.lane/scratch.md', 'notes\n', wt.path);

    const captured = await captureLanePatch({ worktree: wt.path, baseCommit: wt.startCommit, exclude: ['.lane'] });

    expect(captured.files).toEqual([
      { path: 'src/committed.ts', status: 'added' },
      { path: 'src/edit.ts', status: 'modified' },
    ]);
  });

  it('lists a removal staged with git rm as a path the index no longer holds, and an unstaged one as tracked', async () => {
    const wt = await newWorktree();
    repo.git(['rm', '-q', 'src/remove.ts'], wt.path);
    fs.rmSync(path.join(wt.path, 'src/edit.ts'));
    repo.write('src/new.ts', 'export const n = 1;\n', wt.path);

    const { changed } = await listWorktreeChanges(wt.path, wt.startCommit, ['node_modules']);

    expect(changed.sort((a, b) => (a.path < b.path ? -1 : 1))).toEqual([
      { path: 'src/edit.ts', tracked: true },
      { path: 'src/new.ts', tracked: false },
      { path: 'src/remove.ts', tracked: false },
    ]);
  });

  it('captures nothing from an untouched worktree, and applying nothing makes no commit', async () => {
    const wt = await newWorktree();
    await expect(captureLanePatch({ worktree: wt.path, baseCommit: wt.startCommit })).resolves.toEqual({ patch: '', files: [] });
    await expect(applyLanePatch({ worktree: wt.path, patch: '', commitMessage: 'nothing' })).resolves.toEqual({ files: [] });
    expect(repo.git(['rev-parse', 'HEAD'], wt.path).trim()).toBe(wt.startCommit);
  });

  it('commits as the given author', async () => {
    const source = await newWorktree();
    repo.write('src/edit.ts', 'export const edit = 4;\n', source.path);
    const { patch } = await captureLanePatch({ worktree: source.path, baseCommit: source.startCommit });
    const target = await newWorktree();
    await applyLanePatch({ worktree: target.path, patch, commitMessage: 'by ada', author: { name: 'Ada', email: 'ada@example.com' } });
    expect(repo.git(['log', '-1', '--format=%an <%ae>'], target.path).trim()).toBe('Ada <ada@example.com>');
  });

  it('throws a GitError naming the file that conflicts, and leaves the worktree as it was', async () => {
    const source = await newWorktree();
    repo.write('src/edit.ts', 'export const edit = 5;\n', source.path);
    repo.write('src/other.ts', 'export const other = 1;\n', source.path);
    const { patch } = await captureLanePatch({ worktree: source.path, baseCommit: source.startCommit });
    const target = await newWorktree();
    repo.write('src/edit.ts', 'export const edit = "someone else";\n', target.path);
    repo.git(['commit', '-q', '-am', 'moved on'], target.path);
    const head = repo.git(['rev-parse', 'HEAD'], target.path).trim();

    const error = await applyLanePatch({ worktree: target.path, patch, commitMessage: 'x' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).message).toMatch(/these files conflict: src\/edit\.ts\./);
    expect(fs.existsSync(path.join(target.path, 'src/other.ts'))).toBe(false);
    expect(repo.git(['rev-parse', 'HEAD'], target.path).trim()).toBe(head);
    expect(repo.git(['status', '--porcelain'], target.path)).toBe('?? node_modules\n');
  });

  it('marks only the files that are not UTF-8 as binary, or all of them when a path cannot be a pattern', () => {
    const section = (name: string, line: Buffer) =>
      Buffer.concat([Buffer.from(`diff --git a/${name} b/${name}\n--- a/${name}\n+++ b/${name}\n@@ -1 +1 @@\n+`), line, Buffer.from('\n')]);
    const latin1 = Buffer.from('caf\xe9', 'latin1');
    const diff = Buffer.concat([section('ok.ts', Buffer.from('café')), section('docs/old[1].txt', latin1)]);
    expect(binaryAttributes(diff)).toBe('/docs/old\\[1].txt binary\n');
    expect(binaryAttributes(Buffer.concat([diff, section('with space.txt', latin1)]))).toBe('* binary\n');
  });
});
