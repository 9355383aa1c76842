import * as fs from 'node:fs';
import * as path from 'node:path';
import { commandFailed, execGit, runGit } from './run-git';
import { LANE_BRANCH_PREFIX, parseWorktreeList, type WorktreeEntry } from './worktree-list';

/**
 * The git steps every removal of one of our worktrees takes, shared by lane worktrees and the
 * pool. Callers hold the repository lock: `git branch -D` and `git worktree remove` read every
 * worktree's administrative folder, and fail on one another process is adding.
 */

/** `--force` twice removes a locked worktree with changes, and works when its folder is already gone. */
export async function removeWorktreeDir(repoRoot: string, worktreePath: string): Promise<void> {
  const args = ['worktree', 'remove', '--force', '--force', worktreePath];
  const result = await execGit(repoRoot, args);
  if (result.exitCode !== 0 && !/is not a working tree/.test(result.stderr)) throw commandFailed(repoRoot, args, result);
  // Not registered (a half-made worktree): the folder is still ours to delete, never the checkout or a part of it.
  if (fs.existsSync(worktreePath) && !overlaps(worktreePath, repoRoot)) {
    fs.rmSync(worktreePath, { recursive: true, force: true });
  }
}

function overlaps(a: string, b: string): boolean {
  const inside = (child: string, parent: string) => !path.relative(parent, child).startsWith('..');
  return inside(path.resolve(a), path.resolve(b)) || inside(path.resolve(b), path.resolve(a));
}

/** Deletes a lane branch; a branch outside `agent-lanes/` is never touched, a missing one is no error. */
export async function deleteLaneBranch(repoRoot: string, branch: string): Promise<void> {
  if (!branch.startsWith(LANE_BRANCH_PREFIX)) return;
  const args = ['branch', '-D', branch];
  const result = await execGit(repoRoot, args);
  if (result.exitCode !== 0 && !/not found/.test(result.stderr)) throw commandFailed(repoRoot, args, result);
}

export async function listWorktrees(repoRoot: string): Promise<WorktreeEntry[]> {
  return parseWorktreeList(await runGit(repoRoot, ['worktree', 'list', '--porcelain']));
}
