import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GitError } from '../errors';
import { createTestRepo, type TestRepo } from './create-test-repo';
import { walkFolder } from './__fixtures__/walk-folder';
import * as runGitModule from './run-git';
import { createLaneWorktree, pruneStaleWorktrees, releaseLaneWorktree, type LaneWorktree } from './lane-worktree';
import { snapshotRepository } from './repository-fingerprint';
import { emptyWorktreePool, POOL_LOCK_REASON, poolDir, readPoolSize } from './worktree-pool';
import { deadPid } from '../locks/__fixtures__/processes';
import { formatLockReason, parseWorktreeList } from './worktree-list';

const WORKSPACE_ROOT = path.resolve(__dirname, '../../../..');
const realExecGit = runGitModule.execGit;

describe('the worktree pool', () => {
  let repo: TestRepo;
  let worktreesRoot: string;
  let base: string;
  beforeEach(() => {
    repo = createTestRepo({
      '.gitignore': 'node_modules/\nbuild/\n*.log\n',
      'src/a.ts': 'export const a = 1;\n',
      'src/deep/b.ts': 'export const b = 1;\n',
      'bin/run.sh': '#!/bin/sh\necho run\n',
    });
    fs.chmodSync(path.join(repo.root, 'bin/run.sh'), 0o755);
    repo.git(['add', 'bin/run.sh']);
    repo.git(['commit', '-q', '-m', 'executable']);
    worktreesRoot = path.join(repo.scratch, 'worktrees');
    base = repo.git(['rev-parse', 'HEAD']).trim();
  });
  afterEach(() => repo.cleanup());

  const create = (lane: string, extra: Partial<Parameters<typeof createLaneWorktree>[0]> = {}) =>
    createLaneWorktree({ repoRoot: repo.root, feature: 'export', lane, baseCommit: base, worktreesRoot, linkNodeModules: false, poolSize: 2, ...extra });

  /** A fresh `git worktree add` of `commit`, as a lane would get without the pool. */
  const freshCheckout = (name: string, commit: string) => {
    const dir = path.join(repo.scratch, `fresh-${name}`);
    repo.git(['worktree', 'add', '-q', '--detach', dir, commit]);
    return dir;
  };

  /** What tells two checkouts apart: every file and folder (content, mode), and git's view of untracked and ignored files. */
  const describeCheckout = (dir: string) => ({
    files: walkFolder(dir, ['.git']),
    others: repo.git(['ls-files', '-o'], dir),
    status: repo.git(['status', '--ignored', '--porcelain'], dir),
    head: repo.git(['rev-parse', 'HEAD'], dir).trim(),
  });

  /** Lane A's leftovers: a change to a tracked file, untracked and ignored files, a nested ignored folder, a nested repository, a commit, modes. */
  const dirty = (wt: LaneWorktree) => {
    repo.write('src/a.ts', 'export const a = "from lane A";\n', wt.path);
    repo.write('src/new-from-a.ts', 'export const fromA = true;\n', wt.path);
    repo.write('node_modules/x/index.js', 'module.exports = "lane A";\n', wt.path);
    repo.write('build/out.js', 'built by lane A\n', wt.path);
    repo.write('debug.log', 'lane A log\n', wt.path);
    fs.mkdirSync(path.join(wt.path, 'empty-from-a'));
    repo.write('vendor/sub/file.txt', 'nested\n', wt.path);
    repo.git(['init', '-q'], path.join(wt.path, 'vendor/sub'));
    fs.chmodSync(path.join(wt.path, 'src/deep/b.ts'), 0o600);
    fs.chmodSync(path.join(wt.path, 'src/deep'), 0o700);
    fs.chmodSync(path.join(wt.path, 'bin/run.sh'), 0o644);
    fs.chmodSync(path.join(wt.path, 'src'), 0o3777);
    fs.chmodSync(wt.path, 0o700);
    fs.rmSync(path.join(wt.path, 'src/deep/b.ts'));
    repo.write('src/deep/b.ts', 'export const b = "A";\n', wt.path);
    fs.chmodSync(path.join(wt.path, 'src/deep/b.ts'), 0o600);
    repo.write('src/committed-by-a.ts', 'committed\n', wt.path);
    repo.git(['add', 'src/committed-by-a.ts'], wt.path);
    repo.git(['commit', '-q', '-m', 'lane A'], wt.path);
  };

  /** The git commands run in `cwd` while `work` runs: subcommand, and the index read when not the worktree's own. */
  const gitCommandsIn = async (cwd: string, work: () => Promise<unknown>) => {
    const commands: Array<{ command?: string; indexFile?: string }> = [];
    const spy = jest.spyOn(runGitModule, 'execGit').mockImplementation(async (dir, args, options = {}) => {
      if (dir === cwd) commands.push({ command: args.find((arg, i) => !arg.startsWith('-') && args[i - 1] !== '-c'), indexFile: options.indexFile });
      return realExecGit(dir, args, options);
    });
    try {
      await work();
    } finally {
      spy.mockRestore();
    }
    return commands;
  };
  /** Past the next second and the slack the plugin allows the kernel's clock. */
  const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1100 - (Date.now() % 1000)));

  /**
   * Lane A's worktree: a fresh one, or a pooled one claimed after the second its files were
   * last written, whose return to the pool compares it with its base index.
   */
  const laneA = async (kind: 'fresh' | 'pooled') => {
    if (kind === 'pooled') {
      await releaseLaneWorktree(await create('first'));
      await nextSecond();
    }
    const a = await create('a');
    expect(a.reused).toBe(kind === 'pooled');
    return a;
  };
  const release = async (wt: LaneWorktree, kind: 'fresh' | 'pooled') => {
    let released: Awaited<ReturnType<typeof releaseLaneWorktree>> | undefined;
    const commands = await gitCommandsIn(wt.path, async () => (released = await releaseLaneWorktree(wt)));
    expect(commands.filter((c) => c.indexFile).map((c) => c.command)).toEqual(kind === 'pooled' ? ['diff-files', 'ls-files'] : []);
    return released;
  };

  it.each(['fresh', 'pooled'] as const)('gives lane B the worktree lane A left in a %s worktree, identical to a fresh checkout of the base, with none of A\u2019s files', async (kind) => {
    const a = await laneA(kind);
    dirty(a);
    expect(await release(a, kind)).toEqual({ pooled: true });
    expect(repo.git(['branch', '--list', a.branch])).toBe('');
    // Locked as the pool's: prune leaves it, and the repository watch does not take it for one of the user's worktrees.
    const pooled = parseWorktreeList(repo.git(['worktree', 'list', '--porcelain'])).filter((e) => e.path !== repo.root);
    expect(pooled).toEqual([{ path: path.join(poolDir(worktreesRoot), path.basename(a.path)), head: base, bare: false, detached: true, locked: POOL_LOCK_REASON }]);
    await expect(pruneStaleWorktrees(repo.root)).resolves.toEqual([]);
    expect(Object.keys((await snapshotRepository(repo.root)).heads)).toEqual(['HEAD']);

    const b = await create('b');
    expect(b.reused).toBe(true);
    expect(b.path).toBe(path.join(worktreesRoot, 'export', path.basename(b.path)));
    expect(describeCheckout(b.path)).toEqual(describeCheckout(freshCheckout('b', base)));
    for (const left of ['src/new-from-a.ts', 'node_modules', 'build', 'debug.log', 'empty-from-a', 'vendor', 'src/committed-by-a.ts']) {
      expect(fs.existsSync(path.join(b.path, left))).toBe(false);
    }
    expect(repo.git(['symbolic-ref', '--short', 'HEAD'], b.path).trim()).toBe(b.branch);
    expect(repo.git(['reflog', '--format=%s'], b.path)).not.toContain('lane A');
    const entry = parseWorktreeList(repo.git(['worktree', 'list', '--porcelain'])).find((e) => e.path === b.path);
    expect(entry).toMatchObject({ branch: b.branch, locked: expect.stringContaining('lane=b') });
  });

  it.each(['fresh', 'pooled'] as const)('puts back tracked files a lane in a %s worktree swapped for symlinks and folders, staged or not, without writing through a symlink that leads outside', async (kind) => {
    const outside = path.join(repo.scratch, 'outside');
    fs.mkdirSync(outside);
    const a = await laneA(kind);
    const at = (p: string) => path.join(a.path, p);
    // A tracked folder becomes a symlink out of the worktree; a tracked file becomes a folder, another a symlink.
    fs.rmSync(at('src/deep'), { recursive: true });
    fs.symlinkSync(outside, at('src/deep'));
    fs.rmSync(at('src/a.ts'));
    repo.write('src/a.ts/inside.ts', 'a folder now\n', a.path);
    fs.rmSync(at('bin/run.sh'));
    fs.symlinkSync('/etc/passwd', at('bin/run.sh'));
    // Staged: a new file and a deletion; and a commit that deletes a tracked file.
    repo.write('staged-new.ts', 'staged\n', a.path);
    repo.git(['add', 'staged-new.ts'], a.path);
    repo.git(['rm', '-q', '--cached', '.gitignore'], a.path);
    expect(await release(a, kind)).toEqual({ pooled: true });
    expect(fs.readdirSync(outside)).toEqual([]);

    const b = await create('b');
    expect(b.reused).toBe(true);
    expect(describeCheckout(b.path)).toEqual(describeCheckout(freshCheckout('swapped', base)));
    expect(fs.lstatSync(path.join(b.path, 'src/deep')).isDirectory()).toBe(true);
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('gives a lane whose base moved the new base', async () => {
    const a = await create('a');
    dirty(a);
    await releaseLaneWorktree(a);
    repo.write('src/a.ts', 'export const a = 2;\n');
    repo.write('src/added.ts', 'export const added = 1;\n');
    repo.git(['rm', '-q', 'src/deep/b.ts']);
    repo.git(['add', '-A']);
    repo.git(['commit', '-q', '-m', 'the base moves']);
    const moved = repo.git(['rev-parse', 'HEAD']).trim();

    const b = await create('b', { baseCommit: 'main' });
    expect(b.reused).toBe(true);
    expect(b.baseCommit).toBe(moved);
    expect(describeCheckout(b.path)).toEqual(describeCheckout(freshCheckout('moved', moved)));
    expect(repo.read('src/a.ts', b.path)).toBe('export const a = 2;\n');
    expect(fs.existsSync(path.join(b.path, 'src/deep'))).toBe(false);
  });

  it('puts back what a temp cleaner removed from a pooled worktree, writing only those files when the base is the same', async () => {
    const a = await create('a');
    dirty(a);
    await releaseLaneWorktree(a);
    const [slot] = fs.readdirSync(poolDir(worktreesRoot)).map((name) => path.join(poolDir(worktreesRoot), name));
    // While pooled: a tracked file and a whole tracked folder age out of /tmp.
    fs.rmSync(path.join(slot, 'bin/run.sh'));
    fs.rmSync(path.join(slot, 'src/deep'), { recursive: true });
    const untouched = fs.statSync(path.join(slot, '.gitignore')).ino;

    const b = await create('b');
    expect(b.reused).toBe(true);
    expect(describeCheckout(b.path)).toEqual(describeCheckout(freshCheckout('aged', base)));
    expect(fs.statSync(path.join(b.path, 'bin/run.sh')).mode & 0o111).not.toBe(0);
    expect(repo.git(['diff-files', '--name-only'], b.path)).toBe('');
    // Only what had gone was written: another file is the same inode, and no whole reset ran (it leaves ORIG_HEAD).
    expect(fs.statSync(path.join(b.path, '.gitignore')).ino).toBe(untouched);
    const adminDir = repo.git(['rev-parse', '--absolute-git-dir'], b.path).trim();
    expect(fs.existsSync(path.join(adminDir, 'ORIG_HEAD'))).toBe(false);

    // The same, with the base moved since: the whole reset.
    fs.rmSync(path.join(b.path, 'src/a.ts'));
    await releaseLaneWorktree(b);
    fs.rmSync(path.join(poolDir(worktreesRoot), path.basename(b.path), 'bin/run.sh'));
    repo.write('src/added.ts', 'export const added = 1;\n');
    repo.git(['add', '-A']);
    repo.git(['commit', '-q', '-m', 'the base moves']);
    const c = await create('c', { baseCommit: 'main' });
    expect(c.reused).toBe(true);
    expect(describeCheckout(c.path)).toEqual(describeCheckout(freshCheckout('aged-moved', repo.git(['rev-parse', 'HEAD']).trim())));
  });

  it('puts back a mode alone changed and a same-size rewrite with its old mtime, after the lane\u2019s own git refreshed its index, without a git status', async () => {
    await releaseLaneWorktree(await create('a'));
    // Its checkout's second is over: a change now gets another ctime.
    await nextSecond();
    const b = await create('b');
    expect(b.reused).toBe(true);
    const at = (p: string) => path.join(b.path, p);
    fs.chmodSync(at('src/a.ts'), 0o600);
    const { mtime } = fs.statSync(at('.gitignore'));
    fs.writeFileSync(at('.gitignore'), fs.readFileSync(at('.gitignore'), 'utf8').replace('node_modules', 'node-modules'));
    fs.utimesSync(at('.gitignore'), mtime, mtime);
    // The lane's git writes a new index that agrees with both files; the base index is another file.
    repo.git(['add', '-A'], b.path);
    expect(repo.git(['status', '--porcelain'], b.path)).toBe('M  .gitignore\n');
    const commands = await gitCommandsIn(b.path, async () => expect(await releaseLaneWorktree(b)).toEqual({ pooled: true }));
    expect(commands.map((c) => c.command)).not.toContain('status');
    expect(commands.filter((c) => c.indexFile).map((c) => c.command)).toEqual(['diff-files', 'ls-files']);

    const c = await create('c');
    expect(c.reused).toBe(true);
    expect(describeCheckout(c.path)).toEqual(describeCheckout(freshCheckout('mode-alone', base)));
    expect(fs.statSync(path.join(c.path, 'src/a.ts')).mode & 0o777).toBe(0o666 & ~process.umask());
  });

  it('puts back a mode changed within the second git last wrote the file, which git\u2019s own compare cannot see', async () => {
    const a = await create('a');
    await nextSecond();
    repo.write('src/a.ts', 'export const a = "from lane A";\n', a.path);
    await releaseLaneWorktree(a);
    // Right after src/a.ts was put back: within that second, as a quick verify or test would.
    const b = await create('b');
    expect(b.reused).toBe(true);
    fs.chmodSync(path.join(b.path, 'src/a.ts'), 0o600);
    const commands = await gitCommandsIn(b.path, () => releaseLaneWorktree(b));
    expect(commands.filter((c) => c.indexFile).map((c) => c.command)).toEqual(['diff-files', 'ls-files']);

    const c = await create('c');
    expect(describeCheckout(c.path)).toEqual(describeCheckout(freshCheckout('same-second', base)));
  });

  it('keeps at most poolSize worktrees and removes the rest, branches included', async () => {
    const lanes = await Promise.all(['a', 'b', 'c'].map((lane) => create(lane)));
    const released = [];
    for (const wt of lanes) released.push(await releaseLaneWorktree(wt));
    expect(released.map((r) => r.pooled)).toEqual([true, true, false]);
    expect(fs.readdirSync(poolDir(worktreesRoot)).length).toBe(2);
    expect(fs.existsSync(lanes[2].path)).toBe(false);
    expect(repo.git(['branch', '--list', 'agent-lanes/*'])).toBe('');
    // Each pooled worktree is claimed once: two lanes at once get one each, the third a new checkout.
    const again = await Promise.all(['d', 'e', 'f'].map((lane) => create(lane)));
    expect(again.map((wt) => wt.reused).sort()).toEqual([false, true, true]);
    expect(new Set(again.map((wt) => wt.path)).size).toBe(3);
    expect(fs.readdirSync(poolDir(worktreesRoot))).toEqual([]);
  });

  it('removes instead of pooling when reuse is refused, when pooling is off, and when git holds state a fresh worktree has not', async () => {
    const refused = await create('a');
    await expect(releaseLaneWorktree(refused, { reuse: false })).resolves.toEqual({ pooled: false });
    expect(fs.existsSync(refused.path)).toBe(false);

    const off = await create('b', { poolSize: 0 });
    expect(off.pool).toBeUndefined();
    await expect(releaseLaneWorktree(off)).resolves.toEqual({ pooled: false });
    expect(fs.existsSync(off.path)).toBe(false);

    const rebasing = await create('c');
    const adminDir = repo.git(['rev-parse', '--absolute-git-dir'], rebasing.path).trim();
    fs.mkdirSync(path.join(adminDir, 'rebase-merge'));
    fs.writeFileSync(path.join(adminDir, 'rebase-merge', 'head-name'), 'refs/heads/main\n');
    const result = await releaseLaneWorktree(rebasing);
    expect(result).toEqual({ pooled: false, why: expect.stringContaining('rebase-merge') });
    expect(fs.existsSync(rebasing.path)).toBe(false);
    expect(fs.existsSync(poolDir(worktreesRoot)) ? fs.readdirSync(poolDir(worktreesRoot)) : []).toEqual([]);
    expect(parseWorktreeList(repo.git(['worktree', 'list', '--porcelain'])).map((e) => e.path)).toEqual([repo.root]);
    expect(repo.git(['branch', '--list', 'agent-lanes/*'])).toBe('');
  });

  it('removes instead of pooling a worktree whose folders cannot all be walked for their modes (a lane\u2019s chmod 000, seen by anyone but root)', async () => {
    const unreadable = await create('a');
    const bin = fs.mkdtempSync(path.join(repo.root, '..', 'find-fails-'));
    fs.writeFileSync(path.join(bin, 'find'), `#!/bin/sh\necho "find: '$1/src': Permission denied" >&2\nexit 1\n`, { mode: 0o755 });
    const pathBefore = process.env.PATH;
    process.env.PATH = `${bin}:${pathBefore}`;
    try {
      await expect(releaseLaneWorktree(unreadable)).resolves.toEqual({ pooled: false, why: expect.stringMatching(/^find could not walk .*: find: '.*\/src': Permission denied$/) });
    } finally {
      process.env.PATH = pathBefore;
      fs.rmSync(bin, { recursive: true, force: true });
    }
    expect(fs.existsSync(unreadable.path)).toBe(false);
    expect(parseWorktreeList(repo.git(['worktree', 'list', '--porcelain'])).map((e) => e.path)).toEqual([repo.root]);
  });

  it('leaks nothing when the process holding a pooled worktree is killed: the next prune removes it', async () => {
    await releaseLaneWorktree(await create('a'));
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', path.join(__dirname, '__fixtures__', 'start-lane.ts'), repo.root, worktreesRoot, 'export', 'killed'],
      {
        cwd: WORKSPACE_ROOT,
        stdio: ['pipe', 'pipe', 'inherit'],
        env: { ...process.env, NX_AGENT_LANES_POOL_SIZE: '2', TS_NODE_PROJECT: path.join(WORKSPACE_ROOT, 'packages/nx-agent-lanes/tsconfig.json') },
      },
    );
    const held = await new Promise<{ path: string; branch: string }>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
      });
      child.on('exit', (code) => reject(new Error(`start-lane exited with ${code} before reporting`)));
    });
    expect(fs.readdirSync(poolDir(worktreesRoot))).toEqual([]);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    await expect(pruneStaleWorktrees(repo.root)).resolves.toEqual([held.path, held.branch]);
    expect(parseWorktreeList(repo.git(['worktree', 'list', '--porcelain'])).map((e) => e.path)).toEqual([repo.root]);
    expect(repo.git(['branch', '--list', 'agent-lanes/*'])).toBe('');
    expect((await create('next')).reused).toBe(false);
  });

  it('leaves a process killed between claiming and moving a pooled worktree a stale lane worktree, which prune removes', async () => {
    const a = await create('a');
    await releaseLaneWorktree(a);
    // A claim locks the pooled worktree as its lane's before moving it: the state a kill -9 right then leaves.
    const [slot] = fs.readdirSync(poolDir(worktreesRoot)).map((name) => path.join(poolDir(worktreesRoot), name));
    const adminDir = repo.git(['rev-parse', '--absolute-git-dir'], slot).trim();
    fs.writeFileSync(path.join(adminDir, 'locked'), formatLockReason({ kind: 'lane', pid: deadPid(), feature: 'export', lane: 'killed' }));
    expect((await create('b')).reused).toBe(false);
    await expect(pruneStaleWorktrees(repo.root)).resolves.toEqual([slot]);
    expect(fs.existsSync(slot)).toBe(false);
  });

  it('empties the pool of free worktrees and leaves a claimed one to its lane', async () => {
    const [a, b] = await Promise.all([create('a'), create('b')]);
    await releaseLaneWorktree(a);
    await releaseLaneWorktree(b);
    const claimed = await create('c');
    expect(claimed.reused).toBe(true);
    const removed = await emptyWorktreePool(repo.root, { dir: poolDir(worktreesRoot) });
    expect(removed).toHaveLength(1);
    expect(fs.existsSync(poolDir(worktreesRoot))).toBe(false);
    expect(parseWorktreeList(repo.git(['worktree', 'list', '--porcelain'])).map((e) => e.path)).toEqual([repo.root, claimed.path]);
    await expect(emptyWorktreePool(repo.root, { dir: poolDir(worktreesRoot) })).resolves.toEqual([]);
  });

  it('reads its size from NX_AGENT_LANES_POOL_SIZE, 4 by default, and refuses what is not a whole number', () => {
    expect(readPoolSize({})).toBe(4);
    expect(readPoolSize({ NX_AGENT_LANES_POOL_SIZE: '0' })).toBe(0);
    expect(readPoolSize({ NX_AGENT_LANES_POOL_SIZE: ' 8 ' })).toBe(8);
    expect(() => readPoolSize({ NX_AGENT_LANES_POOL_SIZE: 'off' })).toThrow(GitError);
    expect(() => readPoolSize({ NX_AGENT_LANES_POOL_SIZE: '-1' })).toThrow(/not a whole number/);
  });
});
