import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface WorkspaceSnapshot {
  /** The folder the agent reads. */
  root: string;
  /** The commit it holds, when it is a snapshot. */
  commit?: string;
}

/**
 * What decompose's agent reads: the files of the workspace's last commit, unpacked with
 * `git archive` into `scratchDir` (the commit every lane starts from, with no ignored file, so
 * no `.env` and no key reaches the model, and no worktree is registered in the repository).
 * Without a commit the agent reads the workspace folder itself.
 */
export function snapshotWorkspace(workspaceRoot: string, scratchDir: string): WorkspaceSnapshot {
  const head = spawnSync('git', ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd: workspaceRoot, encoding: 'utf8' });
  const commit = head.status === 0 ? head.stdout.trim() : '';
  if (!commit) return { root: workspaceRoot };
  const root = join(scratchDir, 'workspace');
  mkdirSync(root, { recursive: true });
  const tar = execFileSync('git', ['archive', '--format=tar', commit], { cwd: workspaceRoot, maxBuffer: 1024 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', root], { input: tar });
  return { root, commit };
}
