import { execFileSync } from 'node:child_process';
import type { ScratchWorkspace } from './scratch-workspace';

/** The worktrees lanes gave back to the pool: locked as the pool's, detached. */
export function listPooledWorktrees(ws: ScratchWorkspace): string[] {
  return ws
    .git(['worktree', 'list', '--porcelain'])
    .split('\n\n')
    .filter((entry) => entry.includes('\nlocked nx-agent-lanes pool'))
    .map((entry) => entry.split('\n')[0].slice('worktree '.length));
}

/** What `git status` shows in each pooled worktree, untracked and ignored files included: empty for a clean pool. */
export function describePooledChanges(ws: ScratchWorkspace): Record<string, string> {
  return Object.fromEntries(
    listPooledWorktrees(ws).map((wt) => [wt, execFileSync('git', ['status', '--porcelain', '--ignored', '--untracked-files=all'], { cwd: wt, encoding: 'utf8' })]),
  );
}
