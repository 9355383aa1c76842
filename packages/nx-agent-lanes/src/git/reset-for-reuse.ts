import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execGit, runGit } from './run-git';
import { readGitDirPointer, readWorktreeAdminDir } from './worktree-admin-dir';

/**
 * What a worktree's administrative folder (`.git/worktrees/<id>`) holds when git made it and
 * only checkouts, commits and resets happened in it. Anything else (a rebase or merge under
 * way, `config.worktree`, a sparse-checkout list, `index.lock`) is state a fresh worktree would
 * not have, so such a worktree is removed rather than reused.
 */
const ADMIN_ENTRIES = new Set(['HEAD', 'ORIG_HEAD', 'commondir', 'gitdir', 'index', 'locked', 'logs', 'nx-agent-lanes-written']);
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
  const baseIndex = path.join(adminDir, BASE_INDEX);
  const kept = fs.lstatSync(baseIndex, { throwIfNoEntry: false })?.isFile() === true;
  // Modes first: a folder the lane made unreadable would hide its files from git's walks below.
  // With the base index, git's own walk finds a file whose mode alone changed (its ctime moved).
  let unwalked = await restoreCheckoutModes(o.path, kept ? 'folders' : 'all');
  if (unwalked) return unwalked;
  let wrote: Wrote | false = false;
  if (kept) {
    const listed = await listSinceClaim(o.path, baseIndex, readWritten(adminDir));
    wrote = listed !== undefined && (await restoreSinceClaim(o.path, o.baseCommit, adminDir, listed));
    if (!wrote) unwalked = await restoreCheckoutModes(o.path, 'all');
    if (unwalked) return unwalked;
  }
  if (!wrote) wrote = await restoreWhatDiffers(o.path, o.baseCommit);
  if (!wrote) {
    wrote = 'all';
    await runGit(o.path, ['checkout', '-q', '-f', '--detach', o.baseCommit]);
    // -ff: nested repositories too; -x: ignored files too (node_modules/x, build output).
    await runGit(o.path, ['clean', '-ffdxq']);
    const left = (await runGit(o.path, ['status', '--porcelain', '--ignored', '--untracked-files=all'])).split('\n').filter(Boolean);
    if (left.length) return `${left.length} file(s) differ from ${o.baseCommit.slice(0, 10)} after the reset: ${left.slice(0, 3).join(', ')}`;
  }
  noteWritten(adminDir, wrote);
  const unchecked = (await runGit(o.path, ['ls-files', '-v'])).split('\n').filter((line) => UNCHECKED_TAG.test(line));
  if (unchecked.length) return `git is told not to check ${unchecked.length} file(s) against the disk: ${unchecked.slice(0, 3).join(', ')}`;
  for (const name of [...LANE_LEFTOVERS, BASE_INDEX]) fs.rmSync(path.join(adminDir, name), { force: true });
  const extra = fs.readdirSync(adminDir).filter((name) => !ADMIN_ENTRIES.has(name));
  const logs = path.join(adminDir, 'logs');
  if (fs.existsSync(logs)) extra.push(...fs.readdirSync(logs).filter((name) => name !== 'HEAD').map((name) => `logs/${name}`));
  if (extra.length) return `its git folder ${adminDir} holds ${extra.join(', ')}, which a fresh worktree has not`;
  // The HEAD reflog names the commits of the lane that used it; a fresh worktree starts without them.
  fs.rmSync(path.join(logs, 'HEAD'), { force: true });
  return undefined;
}

/**
 * The index a lane's worktree started with, kept in its administrative folder (the sandbox
 * mounts it read-only) as a second link to the same file. git replaces an index by renaming a
 * new file over it, never by writing into it: whatever the lane stages, commits or refreshes,
 * this link keeps the base's entries with the size, times and inode each file had then.
 */
const BASE_INDEX = 'nx-agent-lanes-base-index';

/** The tracked files git just wrote in a worktree: those paths, or all of them (a checkout). */
export type Wrote = ReadonlySet<string> | 'all';

/**
 * git compares a file's ctime with its index entry to the second (to the nanosecond only when
 * built with USE_NSEC, which Debian's git is not), so a `chmod` within the second git wrote the
 * file goes unseen. Such files are noted with the time in the administrative folder
 * (noteWritten), and the next return to the pool counts them as changed while that second may
 * still be running when the lane starts. The kernel stamps files from a clock up to a tick
 * behind Node's, hence the slack.
 */
const WRITTEN = 'nx-agent-lanes-written';
const SAME_SECOND_SLACK_MS = 50;

interface WrittenNote {
  atMs: number;
  paths: string[] | 'all';
}

/** The note, 'all' when it cannot be read (the plugin writes it whole, by rename), undefined when none. */
function readWritten(adminDir: string): WrittenNote | 'all' | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(adminDir, WRITTEN), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const note = JSON.parse(text) as WrittenNote;
    const valid = typeof note.atMs === 'number' && (note.paths === 'all' || (Array.isArray(note.paths) && note.paths.every((p) => typeof p === 'string')));
    return valid ? note : 'all';
  } catch {
    return 'all';
  }
}

/**
 * Notes what git wrote just now, with what an earlier note named that may share its second with
 * what comes next (an older note is dropped). Returns what the note now names.
 */
function noteWritten(adminDir: string, wrote: Wrote): Wrote {
  const now = Date.now();
  const earlier = readWritten(adminDir);
  const current = earlier === 'all' || (earlier && Math.floor(earlier.atMs / 1000) >= Math.floor((now - SAME_SECOND_SLACK_MS) / 1000)) ? earlier : undefined;
  const paths: Wrote = wrote === 'all' || current === 'all' || current?.paths === 'all' ? 'all' : new Set([...wrote, ...(current?.paths ?? [])]);
  const file = path.join(adminDir, WRITTEN);
  if (paths !== 'all' && paths.size === 0) {
    fs.rmSync(file, { force: true });
  } else {
    fs.writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify({ atMs: now, paths: paths === 'all' ? 'all' : [...paths] }));
    fs.renameSync(`${file}.${process.pid}.tmp`, file);
  }
  return paths;
}

/**
 * Keeps the worktree's index as it is now, its files the base's, for resetForReuse, once `wrote`
 * (what making it so wrote) is noted. None is kept when a checkout wrote every file within the
 * second: the return to the pool then walks the worktree with `git status` and find(1) instead.
 */
export function keepBaseIndex(worktree: string, wrote: Wrote): void {
  const adminDir = readGitDirPointer(worktree);
  if (!adminDir) return;
  const kept = path.join(adminDir, BASE_INDEX);
  try {
    fs.rmSync(kept, { force: true });
    if (noteWritten(adminDir, wrote) !== 'all') fs.linkSync(path.join(adminDir, 'index'), kept);
  } catch {
    // The slower return to the pool does without it.
    fs.rmSync(kept, { force: true });
  }
}

interface SinceClaim {
  /** Tracked paths whose file is not what the base index recorded: content, mode, type, size, times or inode. */
  changed: Set<string>;
  /** Everything on disk the base index does not hold, ignored files included; a folder holding only such as `dir/`. */
  others: string[];
  /** Tracked paths the claim's note names: written within a second git cannot tell from a later one, so written anew. */
  unsure: string[];
}

/**
 * What changed in the worktree since the claim, from the base index, without writing: `git
 * diff-files` compares the stat of every tracked file with it, ctime included (forced on, so a
 * `chmod` alone counts: a process cannot set a ctime), and `git ls-files --others` lists what
 * the base has not. The files the claim's note names count as changed. Undefined when git
 * refused, for a submodule, which the slower reset handles, or when the note cannot be read.
 */
async function listSinceClaim(worktree: string, baseIndex: string, written: WrittenNote | 'all' | undefined): Promise<SinceClaim | undefined> {
  if (written === 'all' || written?.paths === 'all') return undefined;
  const stat = ['-c', 'core.trustctime=true', '-c', 'core.checkStat=default'];
  const files = await execGit(worktree, [...stat, 'diff-files', '-z'], { indexFile: baseIndex });
  if (files.exitCode !== 0) return undefined;
  const changed = new Set<string>();
  // `:<old mode> <new mode> <old id> <new id> <status>` then the path, each NUL-ended.
  const fields = files.stdout.split('\0');
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [oldMode, newMode, , , status] = fields[i].slice(1).split(' ');
    if (oldMode === '160000' || newMode === '160000' || status === 'U') return undefined;
    changed.add(fields[i + 1]);
  }
  const unsure = written?.paths ?? [];
  for (const file of unsure) changed.add(file);
  const others = await execGit(worktree, ['ls-files', '-z', '--others', '--directory'], { indexFile: baseIndex });
  if (others.exitCode !== 0) return undefined;
  return { changed, others: others.stdout.split('\0').filter(Boolean), unsure };
}

/**
 * Puts the worktree back from what listSinceClaim found: removes the paths the base has not
 * (each one git named, taken as it is: a symlink is removed, never followed), and the unsure
 * ones (git would take them for up to date and leave their mode), makes the base index the
 * worktree's index again, restores the changed paths from the base and detaches HEAD there.
 * Returns the paths it restored, or false when a step failed: the caller then resets the
 * worktree another way.
 */
async function restoreSinceClaim(worktree: string, baseCommit: string, adminDir: string, listed: SinceClaim): Promise<Wrote | false> {
  try {
    // A trailing slash would make rm follow a symlink; git names a folder with one.
    for (const other of listed.others) fs.rmSync(path.join(worktree, other.replace(/\/+$/, '')), { recursive: true, force: true });
    // With every path the base has not gone, no symlink is left for an unsure path to lead through.
    for (const file of listed.unsure) fs.rmSync(path.join(worktree, file), { force: true });
    fs.renameSync(path.join(adminDir, BASE_INDEX), path.join(adminDir, 'index'));
  } catch {
    return false;
  }
  if (!(await restorePaths(worktree, baseCommit, listed.changed))) return false;
  return (await execGit(worktree, ['update-ref', '--no-deref', 'HEAD', baseCommit])).exitCode === 0 && listed.changed;
}

/**
 * Lists, in one walk of the worktree, every path that differs from `baseCommit`: git status
 * (index and files against HEAD, untracked and ignored files) plus what HEAD's commits changed
 * since the base. Removes the untracked and ignored ones, puts the tracked ones back from the
 * base (index and file), and detaches HEAD at the base. A whole-worktree checkout and a second
 * walk to check it would cost two more walks of every file, however little the lane changed.
 * Returns the paths it put back. False, having changed nothing or only removed untracked files,
 * when the worktree holds something this does not handle (a conflict, a submodule) or git
 * refused a step: the caller then resets it whole and checks.
 */
async function restoreWhatDiffers(worktree: string, baseCommit: string): Promise<Wrote | false> {
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
  return (await execGit(worktree, ['update-ref', '--no-deref', 'HEAD', baseCommit])).exitCode === 0 && tracked;
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
 * worktree is removed instead of reused. `folders` when the base index is kept: a file whose mode
 * changed then differs from it (ctime), and git writes it anew.
 */
async function restoreCheckoutModes(worktree: string, which: 'all' | 'folders'): Promise<string | undefined> {
  const umask = process.umask();
  const [file, executable, folder] = [0o666, 0o777, 0o777].map((mode) => (mode & ~umask).toString(8));
  // Every folder not `folder`, every file neither `file` nor `executable`, outside .git. Folders
  // alone cost find a stat of each folder only: it tells the other entries' type from the listing,
  // so the type comes first.
  const dotGit = path.join(worktree, '.git');
  const args =
    which === 'folders'
      ? [worktree, '-type', 'd', '(', '-path', dotGit, '-prune', '-o', '!', '-perm', folder, '-print0', ')']
      : [worktree, '-path', dotGit, '-prune', '-o', '(', '-type', 'd', '!', '-perm', folder, ')', '-print0', '-o', '(', '-type', 'f', '!', '-perm', file, '!', '-perm', executable, ')', '-print0'];
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
