import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GitError } from '../errors';
import { createTestRepo, runTestGit, type TestRepo } from './create-test-repo';
import { deadPid, spawnLive, spawnZombie } from '../locks/__fixtures__/processes';
import { readProcessIdentity, type ProcessIdentity } from '../locks/process-identity';
import { captureLanePatch } from './lane-patch';
import {
  createLaneWorktree,
  defaultWorktreesRoot,
  listLaneWorktrees,
  pruneStaleWorktrees,
  removeLaneWorktree,
} from './lane-worktree';
import { formatLockReason, parseLockReason } from './worktree-list';


describe('lane worktrees', () => {
  let repo: TestRepo;
  let worktreesRoot: string;
  let base: string;
  beforeEach(() => {
    repo = createTestRepo({ '.gitignore': 'node_modules/\n', 'src/a.ts': 'export const a = 1;\n' });
    repo.write('node_modules/dep/index.js', 'module.exports = 1;\n');
    worktreesRoot = path.join(repo.scratch, 'worktrees');
    base = repo.git(['rev-parse', 'HEAD']).trim();
  });
  afterEach(() => repo.cleanup());

  const create = (lane: string, extra: Partial<Parameters<typeof createLaneWorktree>[0]> = {}) =>
    createLaneWorktree({ repoRoot: repo.root, feature: 'export', lane, baseCommit: base, worktreesRoot, ...extra });

  it('makes a locked worktree outside the checkout, on its own branch at the base, with node_modules linked', async () => {
    repo.write('src/a.ts', 'export const a = 2;\n');
    repo.git(['commit', '-q', '-am', 'later']);
    const wt = await create('backend', { runId: 'r1' });

    expect(wt).toEqual({
      path: path.join(worktreesRoot, 'export', 'backend-r1'),
      branch: 'agent-lanes/export/backend/r1',
      baseCommit: base,
      startCommit: base,
      repoRoot: repo.root,
      pool: { dir: path.join(worktreesRoot, '.pool'), size: 4 },
      reused: false,
    });
    expect(path.relative(repo.root, wt.path).startsWith('..')).toBe(true);
    expect(repo.git(['rev-parse', 'HEAD'], wt.path).trim()).toBe(base);
    expect(repo.git(['symbolic-ref', '--short', 'HEAD'], wt.path).trim()).toBe(wt.branch);
    expect(repo.read('src/a.ts', wt.path)).toBe('export const a = 1;\n');
    expect(fs.lstatSync(path.join(wt.path, 'node_modules')).isSymbolicLink()).toBe(true);
    expect(fs.realpathSync(path.join(wt.path, 'node_modules'))).toBe(path.join(repo.root, 'node_modules'));
    await expect(listLaneWorktrees(repo.root)).resolves.toEqual([
      { path: wt.path, branch: wt.branch, pid: process.pid, kind: 'lane', feature: 'export', lane: 'backend' },
    ]);
    const reason = repo.git(['worktree', 'list', '--porcelain']).split('\n').find((line) => line.startsWith('locked '));
    expect(parseLockReason(reason?.slice('locked '.length))).toEqual({ kind: 'lane', ...readProcessIdentity(process.pid), feature: 'export', lane: 'backend' });
  });

  it('records what a worktree is for in its lock reason', async () => {
    await create('verify-backend', { kind: 'verify' });
    await expect(listLaneWorktrees(repo.root)).resolves.toMatchObject([{ kind: 'verify', lane: 'verify-backend' }]);
  });

  it('leaves node_modules out when asked', async () => {
    const wt = await create('docs', { linkNodeModules: false });
    expect(fs.existsSync(path.join(wt.path, 'node_modules'))).toBe(false);
  });

  it('starts an `after` lane from the earlier lanes\u2019 patches, one commit each', async () => {
    const first = await create('backend');
    repo.write('src/api.ts', 'export const api = true;\n', first.path);
    const { patch: apiPatch } = await captureLanePatch({ worktree: first.path, baseCommit: first.startCommit });
    const second = await create('logic');
    repo.write('src/logic.ts', 'export const logic = true;\n', second.path);
    const { patch: logicPatch } = await captureLanePatch({ worktree: second.path, baseCommit: second.startCommit });

    const wt = await create('frontend', { patches: [apiPatch, { patch: logicPatch, message: 'lane logic' }] });

    const log = repo.git(['log', '--format=%s|%an <%ae>', `${base}..HEAD`], wt.path).trim().split('\n');
    expect(log).toEqual(['lane logic|nx-agent-lanes <agent-lanes@localhost>', 'nx-agent-lanes: start patch 1 of 2|nx-agent-lanes <agent-lanes@localhost>']);
    expect(wt.startCommit).toBe(repo.git(['rev-parse', 'HEAD'], wt.path).trim());
    expect(repo.read('src/api.ts', wt.path)).toBe('export const api = true;\n');
    expect(repo.read('src/logic.ts', wt.path)).toBe('export const logic = true;\n');
    expect(repo.git(['status', '--porcelain'], wt.path)).toBe('?? node_modules\n');
  });

  it('removes the worktree folder and its branch, and does it again without complaint', async () => {
    const wt = await create('backend');
    repo.write('src/dirty.ts', 'left behind\n', wt.path);
    await removeLaneWorktree(wt);
    expect(fs.existsSync(wt.path)).toBe(false);
    expect(repo.git(['branch', '--list', 'agent-lanes/*']).trim()).toBe('');
    expect(repo.git(['worktree', 'list', '--porcelain'])).not.toContain(wt.path);
    await expect(removeLaneWorktree(wt)).resolves.toBeUndefined();
    // The folder already deleted by hand: git's record and the branch still go.
    const gone = await create('docs');
    fs.rmSync(gone.path, { recursive: true, force: true });
    await removeLaneWorktree(gone);
    expect(repo.git(['worktree', 'list', '--porcelain'])).not.toContain(gone.path);
    expect(repo.git(['branch', '--list', 'agent-lanes/*']).trim()).toBe('');
  });

  it('prunes worktrees of dead runs and orphan lane branches (whatever pid their name carries), and keeps live runs and the user\u2019s own', async () => {
    const live = await create('backend');
    const dead = path.join(worktreesRoot, 'export', 'docs-old');
    const deadReason = 'nx-agent-lanes pid=99999999 feature=export lane=docs';
    repo.git(['worktree', 'add', '-q', '--lock', '--reason', deadReason, '-b', 'agent-lanes/export/docs/old', dead, base]);
    repo.git(['branch', 'agent-lanes/export/logic/orphan', base]);
    repo.git(['branch', 'agent-lanes/export/logic/99999999-old', base]);
    const starting = `agent-lanes/export/logic/${process.pid}-starting`;
    repo.git(['branch', starting, base]);
    const mine = path.join(repo.scratch, 'mine');
    repo.git(['worktree', 'add', '-q', '--lock', '--reason', 'my own', '-b', 'my-branch', mine, base]);

    const removed = await pruneStaleWorktrees(repo.root, { isAlive: (owner) => owner.pid === process.pid });

    expect(removed.sort()).toEqual(
      [dead, 'agent-lanes/export/docs/old', 'agent-lanes/export/logic/orphan', 'agent-lanes/export/logic/99999999-old', starting].sort(),
    );
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(live.path)).toBe(true);
    expect(fs.existsSync(mine)).toBe(true);
    expect(repo.git(['branch', '--format=%(refname:short)']).trim().split('\n').sort()).toEqual(
      [live.branch, 'main', 'my-branch'].sort(),
    );
    await expect(listLaneWorktrees(repo.root)).resolves.toEqual([
      { path: live.path, branch: live.branch, pid: process.pid, kind: 'lane', feature: 'export', lane: 'backend' },
    ]);
  });

  it('tells a dead owner from a live one by pid and start time: a zombie or a reused pid is dead', async () => {
    const holder = await spawnLive();
    const zombie = await spawnZombie();
    try {
      const addAs = (lane: string, owner: ProcessIdentity) => {
        const dir = path.join(worktreesRoot, 'export', lane);
        const reason = formatLockReason({ kind: 'lane', ...owner, feature: 'export', lane });
        repo.git(['worktree', 'add', '-q', '--lock', '--reason', reason, '-b', `agent-lanes/export/${lane}/r`, dir, base]);
        return dir;
      };
      const kept = addAs('live', readProcessIdentity(holder.pid)!);
      const reused = addAs('reused', { ...readProcessIdentity(holder.pid)!, startTime: '1' });
      const zombied = addAs('zombie', readProcessIdentity(zombie.pid)!);
      const rescued: string[] = [];

      const removed = await pruneStaleWorktrees(repo.root, { rescue: async (stale) => void rescued.push(`${stale.kind}:${stale.lane}:${stale.pid}`) });

      expect(removed.sort()).toEqual([reused, zombied, 'agent-lanes/export/reused/r', 'agent-lanes/export/zombie/r'].sort());
      expect(rescued.sort()).toEqual([`lane:reused:${holder.pid}`, `lane:zombie:${zombie.pid}`]);
      expect(fs.existsSync(kept)).toBe(true);
    } finally {
      holder.stop();
      zombie.stop();
    }
  });

  it('waits for the repository lock while a live process holds it, and takes it over from a dead one', async () => {
    const holder = await spawnLive();
    const lockFile = path.join(repo.root, '.git', 'nx-agent-lanes', 'repository.lock');
    const hold = (identity: ProcessIdentity) => {
      fs.mkdirSync(path.dirname(lockFile), { recursive: true });
      fs.writeFileSync(lockFile, JSON.stringify({ ...identity, task: 'prune stale lane worktrees', since: new Date().toISOString(), token: 'theirs' }));
    };
    try {
      hold(readProcessIdentity(holder.pid)!);
      let done = false;
      const creating = create('backend').then((wt) => ((done = true), wt));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(done).toBe(false);
      expect(repo.git(['branch', '--list', 'agent-lanes/*']).trim()).toBe('');
      fs.rmSync(lockFile);
      const wt = await creating;
      expect(fs.existsSync(wt.path)).toBe(true);

      hold({ pid: deadPid() });
      await expect(pruneStaleWorktrees(repo.root)).resolves.toEqual([]);
      expect(fs.existsSync(lockFile)).toBe(false);
    } finally {
      holder.stop();
    }
  });

  it('fails on a missing base with the rev in the message, leaving nothing behind', async () => {
    const error = await create('backend', { baseCommit: 'no-such-branch' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).message).toContain('"no-such-branch"');
    expect(fs.existsSync(worktreesRoot)).toBe(false);
  });

  it('cleans up when a start patch does not apply', async () => {
    const patch = [
      'diff --git a/src/a.ts b/src/a.ts',
      '--- a/src/a.ts',
      '+++ b/src/a.ts',
      '@@ -1 +1 @@',
      '-export const a = 42;',
      '+export const a = 43;',
      '',
    ].join('\n');
    await expect(create('backend', { patches: [patch], runId: 'bad' })).rejects.toThrow(/src\/a\.ts/);
    expect(fs.existsSync(path.join(worktreesRoot, 'export', 'backend-bad'))).toBe(false);
    expect(repo.git(['branch', '--list', 'agent-lanes/*']).trim()).toBe('');
  });

  it('refuses a worktrees root inside the checkout', async () => {
    await expect(create('backend', { worktreesRoot: path.join(repo.root, 'tmp', 'wt') })).rejects.toThrow(GitError);
    expect(fs.existsSync(path.join(repo.root, 'tmp'))).toBe(false);
  });

  describe('defaultWorktreesRoot', () => {
    const saved = process.env.NX_AGENT_LANES_WORKTREES;
    afterEach(() => {
      if (saved === undefined) delete process.env.NX_AGENT_LANES_WORKTREES;
      else process.env.NX_AGENT_LANES_WORKTREES = saved;
    });

    it('is one folder per repository under the temp dir, the same from any of its checkouts', () => {
      delete process.env.NX_AGENT_LANES_WORKTREES;
      const root = defaultWorktreesRoot(repo.root);
      expect(path.dirname(root)).toBe(path.join(os.tmpdir(), 'nx-agent-lanes'));
      expect(path.basename(root)).toMatch(/^repo-[0-9a-f]{10}$/);
      const linked = path.join(repo.scratch, 'repo');
      runTestGit(['worktree', 'add', '-q', '--detach', linked], repo.root);
      expect(defaultWorktreesRoot(linked)).toBe(root);
      const other = createTestRepo();
      try {
        expect(defaultWorktreesRoot(other.root)).not.toBe(root);
      } finally {
        other.cleanup();
      }
    });

    it('is NX_AGENT_LANES_WORKTREES when set', () => {
      process.env.NX_AGENT_LANES_WORKTREES = path.join(repo.scratch, 'elsewhere');
      expect(defaultWorktreesRoot(repo.root)).toBe(path.join(repo.scratch, 'elsewhere'));
    });
  });
});
