import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type * as LaneWorktreeModule from '../packages/nx-agent-lanes/src/git/lane-worktree';
import { formatMs, formatRatio, median, type BenchRow } from './bench-table';
import { loadBuiltModule } from './bench-workspace';

const git = (cwd: string, args: string[]) => promisify(execFile)('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 });

export const GENERATED_FILES = 50_000;
/** Files the second base commit changes: the base moving between two lanes. */
const MOVED_FILES = 500;
const REPEATS = 3;

const fileText = (i: number, version: number) => `// generated file ${i}, version ${version}\nexport const value${i} = ${i + version};\n`;
const filePath = (i: number) => `src/module-${i % 500}/file-${i}.ts`;

/**
 * A repository of `count` small files in 500 folders, written by `git fast-import` (no checkout,
 * seconds for 50,000 files), as two commits on main: `base` and `moved` (MOVED_FILES changed).
 */
async function generateRepo(root: string, count: number): Promise<{ base: string; moved: string }> {
  await git(root, ['init', '-q', '-b', 'main']);
  const chunks: string[] = [];
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const commit = (mark: number, message: string, from?: number) =>
    `commit refs/heads/main\nmark :${mark}\ncommitter bench <bench@example.com> 1700000000 +0000\n${data(message)}${from ? `from :${from}\n` : ''}`;
  chunks.push(commit(1, 'generated'), data('node_modules/\nbuild/\n*.log\n').replace(/^/, 'M 100644 inline .gitignore\n'));
  for (let i = 0; i < count; i++) chunks.push(`M 100644 inline ${filePath(i)}\n${data(fileText(i, 0))}`);
  chunks.push(commit(2, 'the base moves', 1));
  for (let i = 0; i < MOVED_FILES; i++) chunks.push(`M 100644 inline ${filePath(i * 97)}\n${data(fileText(i * 97, 1))}`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn('git', ['fast-import', '--quiet'], { cwd: root, stdio: ['pipe', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import exited with ${code}`))));
    child.stdin.end(chunks.join(''));
  });
  const moved = (await git(root, ['rev-parse', 'main'])).stdout.trim();
  const base = (await git(root, ['rev-parse', 'main~1'])).stdout.trim();
  return { base, moved };
}

/** What a lane leaves in its worktree: 100 changed files, 100 new ones, 100 ignored ones (build output, a dependency folder). */
function dirtyLikeALane(worktree: string): void {
  for (let i = 0; i < 100; i++) {
    writeFileSync(join(worktree, filePath(i * 13)), `changed by a lane ${i}\n`);
    writeFileSync(join(worktree, `src/module-${i}/new-${i}.ts`), `export const added${i} = ${i};\n`);
  }
  mkdirSync(join(worktree, 'build'), { recursive: true });
  mkdirSync(join(worktree, 'node_modules/dep'), { recursive: true });
  for (let i = 0; i < 50; i++) {
    writeFileSync(join(worktree, 'build', `out-${i}.js`), `built ${i}\n`);
    writeFileSync(join(worktree, 'node_modules/dep', `f-${i}.js`), `dep ${i}\n`);
  }
}

/**
 * Setting up one lane's worktree on a generated 50,000-file repository: a bare `git worktree
 * add -b`, the plugin's cold set-up (createLaneWorktree with pooling off: a locked worktree on a
 * new branch, checked out in full), and its warm set-up (a pooled worktree the previous lane left
 * dirty, reset to a base that moved by MOVED_FILES files, so git writes only what differs).
 * Medians of REPEATS, alternating; removal and the return to the pool are timed apart.
 */
export async function measureWorktreeSetup(): Promise<BenchRow[]> {
  const { createLaneWorktree, releaseLaneWorktree, removeLaneWorktree } = loadBuiltModule<typeof LaneWorktreeModule>('src/git/lane-worktree');
  const scratch = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-bench-worktree-'));
  try {
    const repo = join(scratch, 'repo');
    mkdirSync(repo);
    const commits = await generateRepo(repo, GENERATED_FILES);
    const worktrees = join(scratch, 'worktrees');
    const lane = (name: string, baseCommit: string, poolSize: number) =>
      createLaneWorktree({ repoRoot: repo, feature: 'bench', lane: name, baseCommit, worktreesRoot: worktrees, poolSize });
    const rawMs: number[] = [];
    const coldMs: number[] = [];
    const warmMs: number[] = [];
    const removeMs: number[] = [];
    const returnMs: number[] = [];
    // The first lane's worktree, left dirty and given back: what every warm set-up starts from.
    let previous = await lane('first', commits.base, 1);
    for (let i = 0; i < REPEATS; i++) {
      const raw = join(worktrees, `raw-${i}`);
      let started = performance.now();
      await git(repo, ['worktree', 'add', '-q', '-b', `raw-${i}`, raw, commits.base]);
      rawMs.push(performance.now() - started);
      await git(repo, ['worktree', 'remove', '--force', raw]);
      await git(repo, ['branch', '-D', `raw-${i}`]);

      started = performance.now();
      const cold = await lane(`cold${i}`, commits.base, 0);
      coldMs.push(performance.now() - started);
      started = performance.now();
      await removeLaneWorktree(cold);
      removeMs.push(performance.now() - started);

      dirtyLikeALane(previous.path);
      started = performance.now();
      const released = await releaseLaneWorktree(previous);
      returnMs.push(performance.now() - started);
      if (!released.pooled) throw new Error(`the bench lane's worktree was not pooled: ${released.why ?? 'the pool is full'}`);
      started = performance.now();
      previous = await lane(`warm${i}`, i % 2 ? commits.base : commits.moved, 1);
      warmMs.push(performance.now() - started);
      if (!previous.reused) throw new Error('the warm lane did not get the pooled worktree');
    }
    await removeLaneWorktree(previous);
    const [raw, cold, warm] = [median(rawMs), median(coldMs), median(warmMs)];
    const files = GENERATED_FILES.toLocaleString('en-US');
    return [
      {
        measure: `worktree set-up per lane, ${files} files, cold: plugin vs git worktree add`,
        figure: `${formatMs(cold)} vs ${formatMs(raw)} = ${formatRatio(cold / raw)}`,
        goal: '<= 1.50x',
        pass: cold / raw <= 1.5,
      },
      {
        measure: `worktree set-up per lane, ${files} files, warm (pooled, base moved by ${MOVED_FILES} files) vs git worktree add`,
        figure: `${formatMs(warm)} vs ${formatMs(raw)} = ${formatRatio(warm / raw)}`,
        goal: '<= 0.20x',
        pass: warm / raw <= 0.2,
      },
      {
        measure: `end of a lane, ${files} files: back to the pool (reset, clean, checks) vs removal`,
        figure: `${formatMs(median(returnMs))} vs ${formatMs(median(removeMs))}`,
        goal: '-',
      },
    ];
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
