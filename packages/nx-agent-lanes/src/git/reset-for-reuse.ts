import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execGit, runGit } from './run-git';
import { readWorktreeAdminDir } from './worktree-admin-dir';

/**
 * What a worktree's administrative folder (`.git/worktrees/<id>`) holds when git made it and
 * only checkouts, commits and resets happened in it. Anything else (a rebase or merge under
 * way, `config.worktree`, a sparse-checkout list, `index.lock`) is state a fresh worktree would
 * not have, so such a worktree is removed rather than reused.
 */
const ADMIN_ENTRIES = new Set(['HEAD', 'ORIG_HEAD', 'commondir', 'gitdir', 'index', 'locked', 'logs']);
/** Left by the lane's own commits: the last message. Removed, so the next lane never reads it. */
const LANE_LEFTOVERS = ['COMMIT_EDITMSG'];

/** `git ls-files -v` tags of entries git would not compare with the disk: assume-unchanged (lower case) and skip-worktree (S). */
const UNCHECKED_TAG = /^[a-zS] /;

/**
 * Puts a worktree back to `baseCommit`, detached, with every untracked and ignored file gone,
 * so that it matches a fresh worktree of that commit. Returns why it cannot be reused, or
 * undefined when it can. Touches only this worktree.
 */
export async function resetForReuse(o: { repoRoot: string; path: string; baseCommit: string }): Promise<string | undefined> {
  const adminDir = await readWorktreeAdminDir(o.repoRoot, o.path);
  if (typeof adminDir !== 'string') return adminDir.problem;
  // Modes first: a folder the lane made unreadable would hide its files from git's walk below.
  const unwalked = await restoreCheckoutModes(o.path);
  if (unwalked) return unwalked;
  if (!(await restoreWhatDiffers(o.path, o.baseCommit))) {
    await runGit(o.path, ['checkout', '-q', '-f', '--detach', o.baseCommit]);
    // -ff: nested repositories too; -x: ignored files too (node_modules/x, build output).
    await runGit(o.path, ['clean', '-ffdxq']);
    const left = (await runGit(o.path, ['status', '--porcelain', '--ignored', '--untracked-files=all'])).split('\n').filter(Boolean);
    if (left.length) return `${left.length} file(s) differ from ${o.baseCommit.slice(0, 10)} after the reset: ${left.slice(0, 3).join(', ')}`;
  }
  const unchecked = (await runGit(o.path, ['ls-files', '-v'])).split('\n').filter((line) => UNCHECKED_TAG.test(line));
  if (unchecked.length) return `git is told not to check ${unchecked.length} file(s) against the disk: ${unchecked.slice(0, 3).join(', ')}`;
  for (const name of LANE_LEFTOVERS) fs.rmSync(path.join(adminDir, name), { force: true });
  const extra = fs.readdirSync(adminDir).filter((name) => !ADMIN_ENTRIES.has(name));
  const logs = path.join(adminDir, 'logs');
  if (fs.existsSync(logs)) extra.push(...fs.readdirSync(logs).filter((name) => name !== 'HEAD').map((name) => `logs/${name}`));
  if (extra.length) return `its git folder ${adminDir} holds ${extra.join(', ')}, which a fresh worktree has not`;
  // The HEAD reflog names the commits of the lane that used it; a fresh worktree starts without them.
  fs.rmSync(path.join(logs, 'HEAD'), { force: true });
  return undefined;
}

/**
 * Lists, in one walk of the worktree, every path that differs from `baseCommit`: git status
 * (index and files against HEAD, untracked and ignored files) plus what HEAD's commits changed
 * since the base. Removes the untracked and ignored ones, puts the tracked ones back from the
 * base (index and file), and detaches HEAD at the base. A whole-worktree checkout and a second
 * walk to check it would cost two more walks of every file, however little the lane changed.
 * False, having changed nothing or only removed untracked files, when the worktree holds
 * something this does not handle (a conflict, a submodule) or git refused a step: the caller
 * then resets it whole and checks.
 */
async function restoreWhatDiffers(worktree: string, baseCommit: string): Promise<boolean> {
  const status = await execGit(worktree, ['status', '--porcelain=v2', '-z', '--branch', '--ignored', '--untracked-files=all', '--no-renames']);
  if (status.exitCode !== 0) return false;
  const tracked = new Set<string>();
  let head: string | undefined;
  let untracked = false;
  for (const entry of status.stdout.split('\0').filter(Boolean)) {
    if (entry.startsWith('# branch.oid ')) head = entry.slice('# branch.oid '.length);
    else if (entry.startsWith('# ')) continue;
    else if (entry.startsWith('? ') || entry.startsWith('! ')) untracked = true;
    else {
      // `1 XY sub mH mI mW hH hI path`: an ordinary change; the submodule field is N... for a file.
      const fields = entry.split(' ');
      if (fields[0] !== '1' || fields[2] !== 'N...') return false;
      tracked.add(fields.slice(8).join(' '));
    }
  }
  if (!head || !/^[0-9a-f]{40,64}$/.test(head)) return false;
  if (head !== baseCommit) {
    const moved = await execGit(worktree, ['diff', '--name-only', '-z', '--no-renames', baseCommit, head]);
    if (moved.exitCode !== 0) return false;
    for (const file of moved.stdout.split('\0').filter(Boolean)) tracked.add(file);
  }
  // Untracked ones first: one may stand where a tracked file goes back (a folder, a symlink).
  if (untracked && (await execGit(worktree, ['clean', '-ffdxq'])).exitCode !== 0) return false;
  if (!(await restorePaths(worktree, baseCommit, tracked))) return false;
  return (await execGit(worktree, ['update-ref', '--no-deref', 'HEAD', baseCommit])).exitCode === 0;
}

/**
 * Puts `paths` back, index and file, as `source` has them (removed where it has none). Every
 * path comes from git itself and is taken literally; one in neither `source` nor the index
 * fails the step. False when git refused it.
 */
export async function restorePaths(worktree: string, source: string, paths: ReadonlySet<string>): Promise<boolean> {
  if (!paths.size) return true;
  const input = [...paths].map((file) => `:(literal)${file}\0`).join('');
  const restore = ['restore', `--source=${source}`, '--staged', '--worktree', '--pathspec-from-file=-', '--pathspec-file-nul'];
  return (await execGit(worktree, restore, { input })).exitCode === 0;
}

/**
 * git restores a file's content and executable bit, never the rest of its mode nor a folder's:
 * a `chmod 600` or `chmod 700 src` by the last lane would outlive a checkout. Puts back what a
 * checkout creates: 0666 or 0777 (executable) less the umask, 0777 less the umask for folders.
 * find(1) walks the worktree and names only what differs: walking 20,000 files from Node took
 * most of a reset's time. A folder it cannot read (a lane's `chmod 000`) fails the reset, and the
 * worktree is removed instead of reused.
 */
async function restoreCheckoutModes(worktree: string): Promise<string | undefined> {
  const umask = process.umask();
  const [file, executable, folder] = [0o666, 0o777, 0o777].map((mode) => (mode & ~umask).toString(8));
  // Every folder not `folder`, every file neither `file` nor `executable`, outside .git.
  const args = [worktree, '-path', path.join(worktree, '.git'), '-prune', '-o'];
  args.push('(', '-type', 'd', '!', '-perm', folder, ')', '-print0', '-o', '(', '-type', 'f', '!', '-perm', file, '!', '-perm', executable, ')', '-print0');
  let listed: string;
  try {
    listed = (await runFind('find', args, { env: process.env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })).stdout;
  } catch (error) {
    const said = (error as { stderr?: string }).stderr?.trim().split('\n')[0];
    return `find could not walk ${worktree}: ${said || (error instanceof Error ? error.message : String(error))}`;
  }
  for (const full of listed.split('\0').filter(Boolean)) {
    const stat = fs.lstatSync(full);
    fs.chmodSync(full, (stat.isDirectory() || stat.mode & 0o100 ? 0o777 : 0o666) & ~umask);
  }
  return undefined;
}

const runFind = promisify(execFile);
