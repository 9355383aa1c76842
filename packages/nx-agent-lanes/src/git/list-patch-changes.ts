import { GitError } from '../errors';
import { parseApplyNumstat, parseRawChanges, type TreeChange } from './patch-sections';
import { execGit, runGit } from './run-git';

/**
 * The path of each section of `patch` as `git apply` itself reads it, in order; nothing is
 * applied. GitError when git cannot read the patch at all.
 */
export async function readGitPatchPaths(cwd: string, patch: string): Promise<string[]> {
  if (patch.trim() === '') return [];
  const result = await execGit(cwd, ['apply', '--numstat', '-z', '-'], { input: patch });
  if (result.exitCode !== 0) {
    throw new GitError(`git cannot read the patch: ${result.stderr.trim().split('\n')[0] || `exit ${result.exitCode}`}.`, {
      hint: 'lane.patch was written by nx-agent-lanes: if it was edited since, rerun the lane to make it again.',
    });
  }
  return parseApplyNumstat(result.stdout);
}

/**
 * What git recorded between two commits, every path once (a rename is its deletion and its
 * addition, so both sides are judged), with modes. Plumbing, so no diff configuration applies.
 */
export async function listCommitChanges(worktree: string, from: string, to: string): Promise<TreeChange[]> {
  return parseRawChanges(await runGit(worktree, ['diff-tree', '-r', '-z', '--raw', '--no-renames', '--no-commit-id', from, to]));
}
