import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { captureSecretFreePatch } from '../lanes/capture-secret-free-patch';
import { listWorkspaceFiles } from '../plugin/read-feature-from-disk';
import { plantPrograms, type PlantedPrograms } from './__fixtures__/plant-programs';
import { createTestRepo, runTestGit, testGitEnv, type TestRepo } from './create-test-repo';
import { applyLanePatch, captureLanePatch } from './lane-patch';
import { createLaneWorktree, pruneStaleWorktrees, releaseLaneWorktree, removeLaneWorktree } from './lane-worktree';
import { updateBranch } from './lanes-branch';
import { gitCommonDir } from './repo';
import { listTreeBlobs, resolveRevision } from './tree-blobs';
import { listUncommittedFiles } from './uncommitted-files';

/**
 * Every program a repository can configure is planted, then the plugin's git work of a whole
 * lane (worktree, start patch, capture, apply and commit, the lanes branch, status, cleanup)
 * runs: nothing planted may run. The same plants do run under plain git, so they are live.
 */
describe.each([
  ['hooks in .git/hooks', false],
  ['hooks through core.hooksPath', true],
])('the plugin runs no program the repository configures (%s)', (_name, hooksPath) => {
  let repo: TestRepo;
  let planted: PlantedPrograms;
  beforeEach(async () => {
    repo = createTestRepo({
      'README.md': '# app\n',
      'notes.txt': 'text\n',
      'src/a.js': 'exports.a = 1;\n',
      'docs/guide.md': '# guide\n',
    });
    planted = plantPrograms({ repoRoot: repo.root, gitDir: await gitCommonDir(repo.root), scratch: repo.scratch, hooksPath });
  });
  afterEach(() => repo.cleanup());

  it('through a whole lane, and the plants are live under plain git', async () => {
    const worktreesRoot = join(repo.scratch, 'worktrees');
    const start = 'diff --git a/src/a.js b/src/a.js\n--- a/src/a.js\n+++ b/src/a.js\n@@ -1 +1 @@\n-exports.a = 1;\n+exports.a = 2;\n';
    const lane = await createLaneWorktree({ repoRoot: repo.root, feature: 'f', lane: 'api', baseCommit: 'HEAD', worktreesRoot, patches: [start] });
    repo.write('src/b.js', 'exports.b = 1;\n', lane.path);
    repo.write('notes.txt', 'changed text\n', lane.path);
    repo.write('docs/guide.md', '# guide, longer\n', lane.path);
    const captured = await captureLanePatch({ worktree: lane.path, baseCommit: lane.startCommit });
    expect(captured.files.map((f) => f.path).sort()).toEqual(['docs/guide.md', 'notes.txt', 'src/b.js']);
    await captureSecretFreePatch({ worktree: lane.path, baseCommit: lane.startCommit, secrets: [{ name: 'TOKEN', value: 'tok-12345678' }] });

    const integration = await createLaneWorktree({ repoRoot: repo.root, feature: 'f', lane: 'integration', kind: 'integration', baseCommit: 'HEAD', worktreesRoot });
    await applyLanePatch({ worktree: integration.path, patch: captured.patch, commitMessage: 'f: api lane' });
    const merged = runTestGit(['rev-parse', 'HEAD'], integration.path).trim();
    await updateBranch(repo.root, 'lanes/f', merged, '');

    repo.write('untracked.txt', 'mine\n');
    await listUncommittedFiles(repo.root, ['**']);
    listWorkspaceFiles(repo.root);
    await resolveRevision(repo.root, 'HEAD');
    await listTreeBlobs(repo.root, merged);
    // Back to the pool (reset, modes, the check, `worktree move`), then claimed by the next lane and reset again.
    await expect(releaseLaneWorktree(lane)).resolves.toEqual({ pooled: true });
    const next = await createLaneWorktree({ repoRoot: repo.root, feature: 'f', lane: 'web', baseCommit: 'HEAD', worktreesRoot });
    expect(next.reused).toBe(true);
    await removeLaneWorktree(next);
    await removeLaneWorktree(integration);
    await pruneStaleWorktrees(repo.root);
    expect(planted.ran()).toEqual([]);

    // Plain git, as the user's next commands would run it (a failing process filter stops a command, so it goes last).
    const plain = (...args: string[]) => spawnSync('git', args, { cwd: repo.root, env: testGitEnv(), stdio: 'ignore' });
    // A new file under filter=evil: `add` cleans it whatever the index's timestamps say (a file git
    // already knows is re-cleaned only when its stat data is racy, which depends on the clock).
    repo.write('src/user.js', 'exports.user = 1;\n');
    plain('-c', 'filter.proc.process=', 'add', '-A');
    plain('-c', 'filter.proc.process=', 'diff', '--no-ext-diff', 'HEAD');
    plain('-c', 'filter.proc.process=', 'diff', 'HEAD');
    plain('-c', 'filter.proc.process=', '-c', 'commit.gpgSign=false', 'commit', '-q', '-m', 'user commit');
    repo.write('docs/guide.md', '# guide, by the user\n');
    plain('add', '-A');
    expect(new Set(planted.ran())).toEqual(
      new Set(['fsmonitor', 'filter-clean', 'filter-a=b-clean', 'textconv', 'diff-command', 'hook:pre-commit', 'hook:prepare-commit-msg', 'hook:commit-msg', 'hook:post-commit', 'hook:reference-transaction', 'hook:post-index-change', 'filter-process']),
    );
  });
});
