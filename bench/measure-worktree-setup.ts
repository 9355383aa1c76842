import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type * as LaneWorktreeModule from '../packages/nx-agent-lanes/src/git/lane-worktree';
import { formatMs, formatRatio, median, type BenchRow } from './bench-table';
import { loadBuiltModule } from './bench-workspace';

const git = (cwd: string, args: string[]) => promisify(execFile)('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 });

export const GENERATED_FILES = 5000;
const REPEATS = 7;

/** A repository of `count` small source files in 50 folders, one commit. */
async function generateRepo(root: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const dir = join(root, 'src', `module-${i % 50}`);
    if (i < 50) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `file-${i}.ts`), `// generated file ${i}\nexport const value${i} = ${i};\nexport function get${i}() {\n  return value${i};\n}\n`);
  }
  await git(root, ['init', '-q', '-b', 'main']);
  await git(root, ['add', '-A']);
  await git(root, ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'generated']);
}

/**
 * Setting up one lane's worktree with the plugin (createLaneWorktree: resolve the base, add a
 * locked worktree on a new branch, link node_modules, read its head) against a bare
 * `git worktree add -b` of the same commit, on a generated 5,000-file repository. Medians of
 * REPEATS, alternating; removal is not timed.
 */
export async function measureWorktreeSetup(): Promise<BenchRow[]> {
  const { createLaneWorktree, removeLaneWorktree } = loadBuiltModule<typeof LaneWorktreeModule>('src/git/lane-worktree');
  const scratch = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-bench-worktree-'));
  try {
    const repo = join(scratch, 'repo');
    mkdirSync(repo);
    await generateRepo(repo, GENERATED_FILES);
    const worktrees = join(scratch, 'worktrees');
    const pluginMs: number[] = [];
    const rawMs: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      let started = performance.now();
      const wt = await createLaneWorktree({ repoRoot: repo, feature: 'bench', lane: `l${i}`, baseCommit: 'HEAD', worktreesRoot: worktrees });
      pluginMs.push(performance.now() - started);
      await removeLaneWorktree(wt);

      const raw = join(worktrees, `raw-${i}`);
      started = performance.now();
      await git(repo, ['worktree', 'add', '-q', '-b', `raw-${i}`, raw, 'HEAD']);
      rawMs.push(performance.now() - started);
      await git(repo, ['worktree', 'remove', '--force', raw]);
      await git(repo, ['branch', '-D', `raw-${i}`]);
    }
    const ratio = median(pluginMs) / median(rawMs);
    return [
      {
        measure: `worktree set-up per lane, ${GENERATED_FILES} files: plugin vs git worktree add`,
        figure: `${formatMs(median(pluginMs))} vs ${formatMs(median(rawMs))} = ${formatRatio(ratio)}`,
        goal: '<= 1.50x',
        pass: ratio <= 1.5,
      },
    ];
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
