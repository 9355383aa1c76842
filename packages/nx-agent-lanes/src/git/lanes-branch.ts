import { GitError } from '../errors';
import { resolveCommit } from './repo';
import { commandFailed, execGit, runGit } from './run-git';
import { parseWorktreeList } from './worktree-list';

/**
 * Points `refs/heads/<branch>` at `commit` without checking anything out (used by integrate
 * for `lanes/<feature>`). With `expectedOld` the update only happens if the branch is still
 * there (compare-and-swap); pass '' to require that it does not exist yet. Refuses a branch
 * checked out in any worktree: moving it would make that checkout's files look changed.
 */
export async function updateBranch(repoRoot: string, branch: string, commit: string, expectedOld?: string): Promise<void> {
  const ref = `refs/heads/${branch}`;
  if ((await execGit(repoRoot, ['check-ref-format', ref])).exitCode !== 0) {
    throw new GitError(`"${branch}" is not a valid git branch name.`, {
      hint: 'Use letters, digits, "-", "_", "." and "/" (see `git help check-ref-format`).',
    });
  }
  const worktrees = parseWorktreeList(await runGit(repoRoot, ['worktree', 'list', '--porcelain']));
  const holder = worktrees.find((entry) => entry.branch === branch);
  if (holder) {
    const whose = holder === worktrees[0] ? 'your checkout' : 'the worktree';
    throw new GitError(`The branch ${branch} is checked out in ${whose} at ${holder.path}, so nx-agent-lanes will not move it.`, {
      hint: `Switch that checkout to another branch (\`git switch -\`), or delete ${branch} if you do not need it.`,
    });
  }
  const sha = await resolveCommit(repoRoot, commit);
  const args = ['update-ref', '-m', `nx-agent-lanes: update ${branch}`, ref, sha];
  if (expectedOld !== undefined) args.push(expectedOld);
  const result = await execGit(repoRoot, args);
  if (result.exitCode === 0) return;
  if (expectedOld !== undefined && /but expected|already exists|unable to resolve reference|cannot lock ref/.test(result.stderr)) {
    throw new GitError(`The branch ${branch} moved while nx-agent-lanes was updating it, so it was left alone.\n${result.stderr.trim()}`, {
      hint: 'Something else changed it at the same time: look at it with `git log ' + branch + '`, then run again.',
    });
  }
  throw commandFailed(repoRoot, args, result);
}
