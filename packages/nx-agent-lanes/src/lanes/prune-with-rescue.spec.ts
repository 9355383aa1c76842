import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTestRepo, type TestRepo } from '../git/create-test-repo';
import { formatLockReason, type WorktreeKind } from '../git/worktree-list';
import { deadPid } from '../locks/__fixtures__/processes';
import { pruneOnce, pruneWithRescue } from './prune-with-rescue';

describe('pruneWithRescue', () => {
  let repo: TestRepo;
  let worktreesRoot: string;
  beforeEach(() => {
    repo = createTestRepo({ 'src/a.ts': 'export const a = 1;\n' });
    worktreesRoot = path.join(repo.scratch, 'worktrees');
  });
  afterEach(() => repo.cleanup());

  /** A worktree as a killed run leaves it: locked in the name of a process that is gone, with uncommitted work. */
  const leaveKilled = (lane: string, reason: string) => {
    const dir = path.join(worktreesRoot, 'f', `${lane}-r`);
    repo.git(['worktree', 'add', '-q', '--lock', '--reason', reason, '-b', `agent-lanes/f/${lane}/r`, dir, 'HEAD']);
    repo.write('src/a.ts', `export const a = '${lane}';\n`, dir);
    return dir;
  };
  const killedAs = (kind: WorktreeKind, lane: string, pid = deadPid()) => leaveKilled(lane, formatLockReason({ kind, pid, startTime: '1', feature: 'f', lane }));
  const rescued = (lane: string) => path.join(repo.root, 'dist', 'agent-lanes', 'f', lane, 'rescued', `${lane}-r.patch`);

  it('saves the work of a killed lane whose name starts with verify-, and not that of a verify worktree', async () => {
    const pid = deadPid();
    const lane = killedAs('lane', 'verify-something', pid);
    const verify = killedAs('verify', 'verify-backend');
    const integration = killedAs('integration', 'integration');

    const lines = await pruneWithRescue({ repoRoot: repo.root, workspaceRoot: repo.root, env: {} });

    expect(fs.readFileSync(rescued('verify-something'), 'utf8')).toContain("+export const a = 'verify-something';");
    expect(fs.existsSync(rescued('verify-backend'))).toBe(false);
    expect(fs.existsSync(rescued('integration'))).toBe(false);
    expect(lines).toContain(`saved the work of a killed f/verify-something agent (pid ${pid}) to ${rescued('verify-something')}`);
    for (const dir of [lane, verify, integration]) expect(fs.existsSync(dir)).toBe(false);
  });

  it('saves the work of a lane killed under an earlier version, whose lock reason named no kind', async () => {
    leaveKilled('verify-something', `nx-agent-lanes pid=${deadPid()} feature=f lane=verify-something`);
    await pruneWithRescue({ repoRoot: repo.root, workspaceRoot: repo.root, env: {} });
    expect(fs.readFileSync(rescued('verify-something'), 'utf8')).toContain("+export const a = 'verify-something';");
  });

  describe('pruneOnce', () => {
    it('prunes for the whole nx command; its lanes then skip their own prune, other commands\u2019 lanes do not', async () => {
      const before = killedAs('lane', 'backend');
      const lines = await pruneOnce({ workspaceRoot: repo.root, runId: 'run-1' });
      expect(lines).toContain(`pruned a stale worktree or branch left by an interrupted run: ${before}`);
      expect(fs.existsSync(rescued('backend'))).toBe(true);

      const after = killedAs('lane', 'docs');
      await expect(pruneWithRescue({ repoRoot: repo.root, workspaceRoot: repo.root, env: { NX_AGENT_LANES_RUN_ID: 'run-1' } })).resolves.toEqual([]);
      expect(fs.existsSync(after)).toBe(true);
      // A command whose hook set a run id but did not prune (or no hook at all): the lane prunes.
      await pruneWithRescue({ repoRoot: repo.root, workspaceRoot: repo.root, env: { NX_AGENT_LANES_RUN_ID: 'run-2' } });
      expect(fs.existsSync(after)).toBe(false);
    });

    it('lanes prune themselves when no hook ran', async () => {
      const dir = killedAs('lane', 'backend');
      await pruneWithRescue({ repoRoot: repo.root, workspaceRoot: repo.root, env: {} });
      expect(fs.existsSync(dir)).toBe(false);
    });
  });
});
