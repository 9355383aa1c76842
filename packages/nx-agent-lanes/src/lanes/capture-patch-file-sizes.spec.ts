import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLaneRepo, disposeLaneRepo, scriptedProvider, testFeature, testLane } from '../__fixtures__/lane-fixture';
import { DEFAULT_LIMITS } from '../feature/read-limits';
import type { TestRepo } from '../git/create-test-repo';
import { createLaneWorktree, removeLaneWorktree } from '../git/lane-worktree';
import { formatLockReason } from '../git/worktree-list';
import type { LaneResult } from '../layout';
import { deadPid } from '../locks/__fixtures__/processes';
import { captureSecretFreePatch } from './capture-secret-free-patch';
import { describeLaneResult } from './describe-lane-result';
import { pruneWithRescue } from './prune-with-rescue';
import { runLane } from './run-lane';

/* limits.patchFileWarnBytes and limits.patchFileMaxBytes, through the real capture and lane runner with real git. */

const KIB = 1024;
const sizeLimits = { patchFileWarnBytes: 4 * KIB, patchFileMaxBytes: 16 * KIB };
const limits = { ...DEFAULT_LIMITS, ...sizeLimits };

/** Bytes that are not text (a NUL in every 16) and do not compress away, `seed` apart. */
function binary(bytes: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length: bytes }, (_, i) => (i % 16 === 0 ? 0 : (i * 7919 + seed * 104729) % 251)));
}

/** Whether git's object store holds a blob of exactly this file's bytes. */
function storeHasBlob(repo: TestRepo, file: string): boolean {
  const id = repo.git(['hash-object', file]).trim();
  try {
    execFileSync('git', ['cat-file', '-e', id], { cwd: repo.root, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('captureSecretFreePatch: file sizes', () => {
  const feature = testFeature([testLane('logic', ['libs/export/**'], { limits })]);
  let repo: TestRepo;
  beforeEach(() => {
    repo = createLaneRepo(feature, { 'libs/export/old.txt': 'x'.repeat(8 * KIB), 'libs/export/edit.ts': 'export const a = 1;\n' });
  });
  afterEach(() => disposeLaneRepo(repo));

  it('keeps a file under both limits silently, warns about one over the first, leaves out unread one over the second, text or binary', async () => {
    const wt = await createLaneWorktree({ repoRoot: repo.root, feature: 'f', lane: 'logic', baseCommit: 'HEAD' });
    try {
      repo.write('libs/export/small.ts', 'export const small = 1;\n', wt.path);
      repo.write('libs/export/medium.bin', binary(8 * KIB, 1), wt.path);
      repo.write('libs/export/large.bin', binary(64 * KIB, 2), wt.path);
      repo.write('libs/export/edit.ts', `export const a = '${'y'.repeat(20 * KIB)}';\n`, wt.path);
      // Deleting a file is not measured: the lane adds nothing.
      repo.git(['rm', '-q', 'libs/export/old.txt'], wt.path);

      const captured = await captureSecretFreePatch({ worktree: wt.path, baseCommit: wt.startCommit, secrets: [], sizeLimits });

      expect(captured.sizeWarnings).toEqual([{ path: 'libs/export/medium.bin', bytes: 8 * KIB }]);
      expect(captured.sizeRefusals).toEqual([
        { path: 'libs/export/edit.ts', bytes: 20 * KIB + 21 },
        { path: 'libs/export/large.bin', bytes: 64 * KIB },
      ]);
      expect(captured.files.map((f) => `${f.status} ${f.path}`).sort()).toEqual([
        'added libs/export/medium.bin',
        'added libs/export/small.ts',
        'deleted libs/export/old.txt',
      ]);
      expect(captured.patch).toContain('+export const small = 1;');
      expect(captured.patch).toMatch(/diff --git a\/libs\/export\/medium\.bin b\/libs\/export\/medium\.bin\nnew file mode 100644\n[^\n]*\nGIT binary patch/);
      expect(captured.patch).not.toContain('large.bin');
      expect(captured.patch).not.toContain('edit.ts');
      // Never hashed into the repository's store, and still in the worktree.
      expect(storeHasBlob(repo, join(wt.path, 'libs/export/large.bin'))).toBe(false);
      expect(storeHasBlob(repo, join(wt.path, 'libs/export/edit.ts'))).toBe(false);
      expect(readFileSync(join(wt.path, 'libs/export/large.bin'))).toEqual(binary(64 * KIB, 2));
    } finally {
      await removeLaneWorktree(wt);
    }
  });

  it('leaves out a large file the agent committed itself, and measures nothing without limits', async () => {
    const wt = await createLaneWorktree({ repoRoot: repo.root, feature: 'f', lane: 'logic', baseCommit: 'HEAD' });
    try {
      repo.write('libs/export/data.bin', binary(32 * KIB, 3), wt.path);
      repo.write('libs/export/csv.ts', 'export const csv = 1;\n', wt.path);
      repo.git(['add', '-A'], wt.path);
      repo.git(['commit', '-q', '-m', 'agent commit'], wt.path);

      const limited = await captureSecretFreePatch({ worktree: wt.path, baseCommit: wt.startCommit, secrets: [], sizeLimits });
      expect(limited.sizeRefusals).toEqual([{ path: 'libs/export/data.bin', bytes: 32 * KIB }]);
      expect(limited.files.map((f) => f.path)).toEqual(['libs/export/csv.ts']);

      const unlimited = await captureSecretFreePatch({ worktree: wt.path, baseCommit: wt.startCommit, secrets: [] });
      expect([unlimited.sizeWarnings, unlimited.sizeRefusals]).toEqual([[], []]);
      expect(unlimited.files.map((f) => f.path).sort()).toEqual(['libs/export/csv.ts', 'libs/export/data.bin']);
    } finally {
      await removeLaneWorktree(wt);
    }
  });
});

describe('runLane: file sizes in the patch', () => {
  const feature = testFeature([testLane('logic', ['libs/export/**'], { limits })]);
  const lane = feature.lanes[0];
  let repo: TestRepo;
  const artifacts = () => join(repo.root, 'dist/agent-lanes/f/logic');
  beforeEach(() => {
    repo = createLaneRepo(feature);
  });
  afterEach(() => disposeLaneRepo(repo));

  async function run(write: (worktree: string) => void) {
    const provider = scriptedProvider({ logic: { inspect: write, edits: { 'libs/export/csv.ts': 'export const csv = 1;\n' } } });
    const lines: string[] = [];
    const result = await runLane({ workspaceRoot: repo.root, feature, lane, providers: { command: provider }, log: (l) => lines.push(l) });
    const written = JSON.parse(readFileSync(join(artifacts(), 'result.json'), 'utf8')) as LaneResult;
    return { result, written, lines, patch: readFileSync(join(artifacts(), 'lane.patch'), 'utf8') };
  }

  const place = (worktree: string, path: string, content: Buffer) => {
    mkdirSync(join(worktree, 'libs/export'), { recursive: true });
    writeFileSync(join(worktree, path), content);
  };

  it('goes on past the warning limit, naming the file and its size in result.json, the log and the closing lines', async () => {
    const { result, written, lines, patch } = await run((wt) => place(wt, 'libs/export/fixture.bin', binary(6 * KIB, 4)));

    expect(result.status).toBe('done');
    expect(written.patchWarnings).toEqual([{ path: 'libs/export/fixture.bin', bytes: 6 * KIB }]);
    expect(written.patchRefusals).toBeUndefined();
    expect(patch).toContain('diff --git a/libs/export/fixture.bin b/libs/export/fixture.bin');
    expect(lines).toContainEqual(
      expect.stringMatching(/^warning: lane\.patch carries a file larger than limits\.patchFileWarnBytes \(4 KiB\): libs\/export\/fixture\.bin \(6 KiB\)\. /),
    );
    expect(describeLaneResult('f', result)).toContain('large files in lane.patch (patchWarnings in result.json): libs/export/fixture.bin (6 KiB)');
  });

  it('fails past the maximum naming the file, its size and the key to raise, keeps the worktree, and the next run rescues it all', async () => {
    const big = binary(40 * KIB, 5);
    const { result, written, lines, patch } = await run((wt) => place(wt, 'libs/export/dump.bin', big));

    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/^lane\.patch leaves out libs\/export\/dump\.bin \(40 KiB\), larger than limits\.patchFileMaxBytes \(16 KiB = 16384\): it was not diffed/);
    expect(result.reason).toContain('raise limits.patchFileMaxBytes for this lane in feature.jsonc');
    expect(written.patchRefusals).toEqual([{ path: 'libs/export/dump.bin', bytes: 40 * KIB }]);
    expect(lines).toContain(result.reason);
    // The rest of the work is in lane.patch; the refused file is in the worktree the reason names.
    expect(patch).toContain('+export const csv = 1;');
    expect(patch).not.toContain('dump.bin');
    const worktree = /still in the kept worktree (\S+) \(branch (\S+)\)/.exec(result.reason ?? '')?.[1];
    expect(worktree && readFileSync(join(worktree, 'libs/export/dump.bin'))).toEqual(big);
    expect(lines).toContain(`kept worktree ${worktree} (branch ${/\(branch (\S+)\)/.exec(result.reason ?? '')?.[1]})`);

    // As the next run finds it once this process is gone: the whole change goes to rescued/.
    repo.git(['worktree', 'unlock', worktree!]);
    const pid = deadPid();
    repo.git(['worktree', 'lock', '--reason', formatLockReason({ kind: 'lane', pid, startTime: '1', feature: 'f', lane: 'logic' }), worktree!]);
    const saved = await pruneWithRescue({ repoRoot: repo.root, workspaceRoot: repo.root, env: {} });
    const rescued = join(artifacts(), 'rescued', `${worktree!.split('/').pop()}.patch`);
    expect(saved).toContain(`saved the work of a killed f/logic agent (pid ${pid}) to ${rescued}`);
    expect(result.reason).toContain(`saves that work to ${join(artifacts(), 'rescued')} before removing the worktree`);
    expect(readFileSync(rescued, 'utf8')).toMatch(/diff --git a\/libs\/export\/dump\.bin b\/libs\/export\/dump\.bin\nnew file mode 100644\n[^\n]*\nGIT binary patch/);
    expect(existsSync(worktree!)).toBe(false);
  });
});
