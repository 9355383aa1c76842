import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTestRepo, runTestGit, type TestRepo } from './create-test-repo';
import { ConfigListingCache } from './config-listing-cache';
import { runGit } from './run-git';

/**
 * The plugin's git decides a folder's overrides from `git config --list` and keeps them while
 * every file the listing came from reads the same. A program configured between two commands,
 * in any of those files, must still be switched off by the next one.
 */
describe('a folder’s configuration listing is kept only while its files read the same', () => {
  let repo: TestRepo;
  let marker: string;
  let listingsLog: string;
  let pathBefore: string | undefined;

  beforeEach(() => {
    repo = createTestRepo({ 'src/a.js': 'exports.a = 1;\n' });
    marker = path.join(repo.scratch, 'filter-ran');
    // Counts the listings the plugin's git makes, then runs the real git.
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    const bin = path.join(repo.scratch, 'bin');
    listingsLog = path.join(repo.scratch, 'listings');
    fs.mkdirSync(bin);
    fs.writeFileSync(listingsLog, '');
    fs.writeFileSync(path.join(bin, 'git'), `#!/bin/sh\ncase "$*" in *"config --list"*) echo "$PWD" >> '${listingsLog}';; esac\nexec '${realGit}' "$@"\n`, { mode: 0o755 });
    pathBefore = process.env.PATH;
    process.env.PATH = `${bin}:${pathBefore}`;
    fs.writeFileSync(path.join(repo.root, '.git', 'info', 'attributes'), '*.js filter=evil\n');
  });
  afterEach(() => {
    process.env.PATH = pathBefore;
    repo.cleanup();
  });

  const listings = () => fs.readFileSync(listingsLog, 'utf8').split('\n').filter(Boolean).length;
  const filterCommand = () => `touch '${marker}'; cat`;
  /** `git add` of a changed .js file, which runs its clean filter unless it is switched off. */
  const addChange = async (cwd: string, text: string, plain = false) => {
    repo.write('src/a.js', text, cwd);
    if (plain) runTestGit(['add', '-A'], cwd);
    else await runGit(cwd, ['add', '-A']);
  };

  it('lists once for commands in an unchanged folder, and again once .git/config gains a filter, which stays off', async () => {
    await runGit(repo.root, ['status', '--porcelain']);
    await runGit(repo.root, ['status', '--porcelain']);
    await addChange(repo.root, 'exports.a = 2;\n');
    expect(listings()).toBe(1);

    repo.git(['config', 'filter.evil.clean', filterCommand()]);
    await addChange(repo.root, 'exports.a = 3;\n');
    expect(listings()).toBe(2);
    expect(fs.existsSync(marker)).toBe(false);
    // The plant is live: plain git runs it.
    await addChange(repo.root, 'exports.a = 4;\n', true);
    expect(fs.existsSync(marker)).toBe(true);
  });

  it('sees a filter written into a linked worktree’s own config.worktree (a path beyond ASCII)', async () => {
    repo.git(['config', 'extensions.worktreeConfig', 'true']);
    const worktree = path.join(repo.scratch, 'wt-é');
    repo.git(['worktree', 'add', '-q', '--detach', worktree]);
    await runGit(worktree, ['status', '--porcelain']);
    await addChange(worktree, 'exports.a = 2;\n');
    expect(listings()).toBe(1);

    repo.git(['config', '--worktree', 'filter.evil.clean', filterCommand()], worktree);
    await addChange(worktree, 'exports.a = 3;\n');
    expect(listings()).toBe(2);
    expect(fs.existsSync(marker)).toBe(false);
    await addChange(worktree, 'exports.a = 4;\n', true);
    expect(fs.existsSync(marker)).toBe(true);
  });

  it('never keeps a listing that used an include, so a filter written into the included file stays off', async () => {
    const included = path.join(repo.scratch, 'included.gitconfig');
    fs.writeFileSync(included, '');
    repo.git(['config', 'include.path', included]);
    await runGit(repo.root, ['status', '--porcelain']);
    await runGit(repo.root, ['status', '--porcelain']);
    expect(listings()).toBe(2);

    fs.writeFileSync(included, `[filter "evil"]\n\tclean = ${filterCommand()}\n`);
    await addChange(repo.root, 'exports.a = 2;\n');
    expect(fs.existsSync(marker)).toBe(false);
    await addChange(repo.root, 'exports.a = 3;\n', true);
    expect(fs.existsSync(marker)).toBe(true);
  });

  it('keeps a listing with an origin outside the usual files while that file reads the same', () => {
    const cache = new ConfigListingCache<string>();
    const elsewhere = path.join(repo.scratch, 'etc', 'gitconfig');
    fs.mkdirSync(path.dirname(elsewhere));
    fs.writeFileSync(elsewhere, '[user]\n\tname = Ada\n');
    cache.store(repo.root, cache.before(repo.root), [{ scope: 'system', origin: `file:${elsewhere}`, key: 'user.name', value: 'Ada' }], 'kept');
    expect(cache.lookup(repo.root)).toBe('kept');
    fs.writeFileSync(elsewhere, `[filter "evil"]\n\tclean = ${filterCommand()}\n`);
    expect(cache.lookup(repo.root)).toBeUndefined();
  });

  it('lists once for a worktree moved to another folder and for a folder whose .git file names its git dir, and again once its config.worktree gains a filter', async () => {
    const [first, moved, snapshot] = ['one', 'moved', 'snapshot'].map((name) => path.join(repo.scratch, name));
    repo.git(['config', 'extensions.worktreeConfig', 'true']);
    repo.git(['worktree', 'add', '-q', '--detach', first]);
    await runGit(first, ['status', '--porcelain']);
    repo.git(['worktree', 'move', first, moved]);
    await runGit(moved, ['status', '--porcelain']);
    // As the patch capture stages from a snapshot folder: the worktree's .git file, copied.
    fs.mkdirSync(snapshot);
    fs.copyFileSync(path.join(moved, '.git'), path.join(snapshot, '.git'));
    await runGit(snapshot, ['status', '--porcelain']);
    expect(listings()).toBe(1);

    repo.git(['config', '--worktree', 'filter.evil.clean', filterCommand()], moved);
    await addChange(moved, 'exports.a = 2;\n');
    expect(listings()).toBe(2);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('lists again when the folder becomes another worktree (its .git file points elsewhere)', async () => {
    const [first, second] = ['one', 'two'].map((name) => path.join(repo.scratch, name));
    repo.git(['worktree', 'add', '-q', '--detach', first]);
    repo.git(['worktree', 'add', '-q', '--detach', second]);
    repo.git(['config', 'extensions.worktreeConfig', 'true']);
    await runGit(first, ['status', '--porcelain']);
    repo.git(['config', '--worktree', 'filter.evil.clean', filterCommand()], second);
    // `first` now holds the second worktree's checkout, as when a pooled worktree is moved in.
    repo.git(['worktree', 'remove', '--force', first]);
    repo.git(['worktree', 'move', second, first]);
    await addChange(first, 'exports.a = 2;\n');
    expect(listings()).toBe(2);
    expect(fs.existsSync(marker)).toBe(false);
  });
});
