import * as fs from 'node:fs';
import * as path from 'node:path';
import { GitError } from '../errors';
import { gitCommonDir } from './repo';

/**
 * A linked worktree's administrative folder (`<common dir>/worktrees/<id>`), read from the
 * `.git` file git writes in it, as git itself finds it, without a git process; or why the
 * worktree is not one git made for this repository (no such file, or it names a folder
 * elsewhere). Real paths throughout. The lane's sandbox mounts that file read-only, so what it
 * names after an agent ran is what it named before.
 */
export async function readWorktreeAdminDir(repoRoot: string, worktree: string): Promise<string | { problem: string }> {
  const named = readGitDirPointer(worktree);
  if (named === undefined) return { problem: `${path.join(worktree, '.git')} is not the file git writes in a worktree` };
  const worktreesDir = path.join(fs.realpathSync(await gitCommonDir(repoRoot)), 'worktrees');
  const adminDir = named && fs.existsSync(named) ? fs.realpathSync(named) : undefined;
  if (!adminDir || path.dirname(adminDir) !== worktreesDir) return { problem: `${path.join(worktree, '.git')} does not name a worktree folder of ${repoRoot}` };
  return adminDir;
}

/**
 * The folder a checkout's `.git` file names, absolute (what `git rev-parse --absolute-git-dir`
 * answers there); '' when the file names none, undefined when `.git` is not a file.
 */
export function readGitDirPointer(dir: string): string | undefined {
  const dotGit = path.join(dir, '.git');
  if (!fs.lstatSync(dotGit, { throwIfNoEntry: false })?.isFile()) return undefined;
  // UTF-8, as git writes it: a worktree path beyond ASCII must name the same folder.
  const named = /^gitdir: (.+)$/m.exec(fs.readFileSync(dotGit, 'utf8'))?.[1].trim();
  return named ? path.resolve(dir, named) : '';
}

/** readWorktreeAdminDir, or a GitError saying why there is none. */
export async function worktreeAdminDir(repoRoot: string, worktree: string): Promise<string> {
  const found = await readWorktreeAdminDir(repoRoot, worktree);
  if (typeof found === 'string') return found;
  throw new GitError(`${worktree} is not a worktree nx-agent-lanes can use: ${found.problem}.`, {
    hint: "Something changed it after git made it. Run `nx run <feature>:clean-lanes` to remove the plugin's worktrees, then rerun the lane.",
  });
}
