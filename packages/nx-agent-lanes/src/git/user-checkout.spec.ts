/**
 * The promise PRODUCT.md makes: the user's own checkout, branch and uncommitted work are
 * never touched. A full lane cycle runs next to a checkout full of work in progress, and
 * everything git and the file system can tell about that checkout must be the same after.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTestRepo, type TestRepo } from './create-test-repo';
import { applyLanePatch, captureLanePatch } from './lane-patch';
import { updateBranch } from './lanes-branch';
import { createLaneWorktree, pruneStaleWorktrees, removeLaneWorktree } from './lane-worktree';

function hash(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Every file under `dir` except .git, by relative path: content hash, or link target for symlinks. */
function hashTree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = path.join(prefix, entry.name);
    if (rel === '.git') continue;
    const full = path.join(dir, rel);
    if (entry.isSymbolicLink()) out[rel] = `link:${fs.readlinkSync(full)}`;
    else if (entry.isDirectory()) Object.assign(out, hashTree(dir, rel));
    else out[rel] = `${hash(fs.readFileSync(full))}:${fs.statSync(full).mode.toString(8)}`;
  }
  return out;
}

function snapshotCheckout(repo: TestRepo): Record<string, unknown> {
  const gitDir = path.join(repo.root, '.git');
  return {
    // --no-optional-locks: our own status call must not refresh (rewrite) the index we compare.
    status: repo.git(['--no-optional-locks', 'status', '--porcelain=v2', '-uall', '--branch']),
    head: repo.git(['rev-parse', 'HEAD']),
    symbolicHead: repo.git(['symbolic-ref', 'HEAD']),
    userRefs: repo.git(['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/main', 'refs/heads/wip', 'refs/stash']),
    stash: repo.git(['stash', 'list']),
    index: hash(fs.readFileSync(path.join(gitDir, 'index'))),
    config: hash(fs.readFileSync(path.join(gitDir, 'config'))),
    headFile: fs.readFileSync(path.join(gitDir, 'HEAD'), 'utf8'),
    files: hashTree(repo.root),
  };
}

describe("the user's checkout", () => {
  let repo: TestRepo;
  beforeEach(() => {
    repo = createTestRepo({
      '.gitignore': 'node_modules/\n',
      'src/app.ts': 'export const app = 1;\n',
      'src/keep.ts': 'export const keep = 1;\n',
    });
    repo.write('node_modules/dep/index.js', 'module.exports = 1;\n');
    // Work in progress of every kind: a stash, a staged change, an unstaged change, an untracked file.
    repo.write('src/app.ts', 'export const app = "stashed";\n');
    repo.git(['stash', '-q']);
    repo.git(['branch', 'wip']);
    repo.write('src/keep.ts', 'export const keep = "staged";\n');
    repo.git(['add', 'src/keep.ts']);
    repo.write('src/app.ts', 'export const app = "uncommitted";\n');
    repo.write('notes/untracked.md', 'my notes\n');
  });
  afterEach(() => repo.cleanup());

  it('is byte-identical after a full create, capture, apply, integrate and remove cycle', async () => {
    const before = snapshotCheckout(repo);
    expect(before.status).toContain('src/app.ts');
    expect(before.status).toContain('? notes/untracked.md');

    const worktreesRoot = path.join(repo.scratch, 'worktrees');
    const common = { repoRoot: repo.root, feature: 'export', baseCommit: 'HEAD', worktreesRoot };
    const lane = await createLaneWorktree({ ...common, lane: 'backend' });
    repo.write('src/app.ts', 'export const app = "lane";\n', lane.path);
    repo.write('src/new.ts', 'export const fresh = true;\n', lane.path);
    fs.rmSync(path.join(lane.path, 'src/keep.ts'));
    const captured = await captureLanePatch({ worktree: lane.path, baseCommit: lane.startCommit });
    expect(captured.files.map((f) => f.path).sort()).toEqual(['src/app.ts', 'src/keep.ts', 'src/new.ts']);

    const integration = await createLaneWorktree({ ...common, lane: 'integration', patches: [captured.patch] });
    await updateBranch(repo.root, 'lanes/export', integration.startCommit, '');
    const after = await createLaneWorktree({ ...common, lane: 'docs' });
    await applyLanePatch({ worktree: after.path, patch: captured.patch, commitMessage: 'lane backend' });

    await removeLaneWorktree(lane);
    await removeLaneWorktree(integration);
    await removeLaneWorktree(after);
    await pruneStaleWorktrees(repo.root, { isAlive: () => false });

    expect(snapshotCheckout(repo)).toEqual(before);
    expect(repo.git(['rev-parse', 'lanes/export^{tree}']).trim()).toBe(repo.git(['rev-parse', `${integration.startCommit}^{tree}`]).trim());
  });
});
