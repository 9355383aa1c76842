/**
 * What of the user's repository a lane's agent, or the tests it wrote, must leave alone: every
 * ref, the HEAD of each checkout, and the files of .git that decide what git runs (config,
 * hooks, info/, alternates, each worktree's own config). A snapshot before, one after, and
 * compareRepository names what moved (issue 11: an agent pointed its worktree's HEAD at main
 * and committed, planted a commit on lanes/<feature>, and wrote hooks and core.fsmonitor
 * through its worktree's git directory).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LANE_BRANCH_PREFIX } from './worktree-list';
import { gitCommonDir } from './repo';
import { runGit } from './run-git';
import { worktreeAdminDir } from './worktree-admin-dir';

/** Bytes up to this size are kept, so a changed file can be put back. */
const KEEP_CONTENT_BYTES = 1024 * 1024;

export interface FileFingerprint {
  type: 'file' | 'symlink';
  mode: number;
  sha256: string;
  /** The bytes (a symlink's target), when small enough to restore. */
  content?: Buffer;
}

export interface RepositorySnapshot {
  repoRoot: string;
  commonDir: string;
  /** When reading began and ended (ms since the epoch): a change between two snapshots happened in between. */
  startedAt: number;
  endedAt: number;
  /** refname → object id, every ref git lists. */
  refs: Record<string, string>;
  /** The newest reflog message of each `lanes/*` branch: who moved it last. */
  lastLogMessages: Record<string, string>;
  /** HEAD files, keyed by their path in the common dir (`HEAD`, `worktrees/<id>/HEAD`), as written. */
  heads: Record<string, string>;
  /** The .git files that decide what git runs, keyed by their path in the common dir. */
  files: Record<string, FileFingerprint>;
  /** The worktree the snapshot watches for (a lane's, verify's or integrate's). */
  own?: OwnWorktree;
  /** `refs/heads/lanes/<feature>`: only integrate moves it, and never while a lane runs. */
  featureBranch?: string;
}

export interface OwnWorktree {
  /** Its administrative folder, relative to the common dir (`worktrees/<id>`). */
  adminDir: string;
  /** Its branch, full ref name. */
  branch: string;
  /** An agent may commit on its own branch; verify's and integrate's tests may not. */
  branchMayMove: boolean;
}

export interface SnapshotOptions {
  /** The plugin's worktree whose process is being watched. */
  worktree?: { path: string; branch: string; branchMayMove: boolean };
  /** Short name, e.g. `lanes/export`. */
  featureBranch?: string;
}

export type RepositoryChangeKind = 'ref' | 'own-branch' | 'own-head' | 'head' | 'file';

export interface RepositoryChange {
  kind: RepositoryChangeKind;
  /** A ref name, or a path in the common dir. */
  name: string;
  before?: string;
  after?: string;
  /** One sentence naming what moved, for the lane's result or the report. */
  message: string;
}

/**
 * The repository as the watched process finds it. Reads refs with git, everything else from disk.
 * `own`: the watched worktree as an earlier snapshot found it, so the one after the process reads
 * the administrative folder the one before did, whatever the process did to the worktree.
 */
export async function snapshotRepository(repoRoot: string, options: SnapshotOptions = {}, known: { own?: OwnWorktree } = {}): Promise<RepositorySnapshot> {
  const startedAt = Date.now();
  const commonDir = fs.realpathSync(await gitCommonDir(repoRoot));
  const own =
    known.own ??
    (options.worktree && {
      adminDir: toKey(commonDir, await worktreeAdminDir(repoRoot, options.worktree.path)),
      branch: `refs/heads/${options.worktree.branch}`,
      branchMayMove: options.worktree.branchMayMove,
    });
  const refs: Record<string, string> = {};
  const lastLogMessages: Record<string, string> = {};
  for (const line of (await runGit(repoRoot, ['for-each-ref', '--format=%(objectname) %(refname)'])).split('\n')) {
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const ref = line.slice(space + 1);
    refs[ref] = line.slice(0, space);
    if (ref.startsWith('refs/heads/lanes/')) lastLogMessages[ref] = readLastLogMessage(path.join(commonDir, 'logs', ref));
  }
  const heads: Record<string, string> = {};
  const files: Record<string, FileFingerprint> = {};
  const readHead = (key: string) => {
    const head = readText(path.join(commonDir, key));
    if (head !== undefined) heads[key] = head;
  };
  readHead('HEAD');
  for (const key of ['config', 'config.worktree', 'objects/info/alternates']) addFile(commonDir, key, files);
  for (const dir of ['hooks', 'info']) addTree(commonDir, dir, files);
  for (const admin of watchedWorktrees(commonDir, own?.adminDir)) {
    readHead(`${admin}/HEAD`);
    for (const name of ['config.worktree', 'commondir', 'gitdir']) addFile(commonDir, `${admin}/${name}`, files);
  }
  return {
    repoRoot,
    commonDir,
    startedAt,
    endedAt: Date.now(),
    refs,
    lastLogMessages,
    heads,
    files,
    ...(own ? { own } : {}),
    ...(options.featureBranch ? { featureBranch: `refs/heads/${options.featureBranch}` } : {}),
  };
}

/**
 * The user's linked worktrees and the watched one; not the plugin's other worktrees, which
 * parallel lanes add and remove all the time (their lock reason names the plugin).
 */
function watchedWorktrees(commonDir: string, own: string | undefined): string[] {
  let ids: string[] = [];
  try {
    ids = fs.readdirSync(path.join(commonDir, 'worktrees'));
  } catch {
    return own ? [own] : [];
  }
  const admins = ids
    .map((id) => `worktrees/${id}`)
    .filter((admin) => admin === own || !readText(path.join(commonDir, admin, 'locked'))?.startsWith('nx-agent-lanes '));
  return own && !admins.includes(own) ? [...admins, own] : admins;
}

/** Pure: every change between two snapshots of one repository, in a stable order. */
export function compareRepository(before: RepositorySnapshot, after: RepositorySnapshot): RepositoryChange[] {
  return [...compareRefs(before, after), ...compareHeads(before, after), ...compareFiles(before, after)];
}

function compareRefs(before: RepositorySnapshot, after: RepositorySnapshot): RepositoryChange[] {
  const own = before.own;
  const changes: RepositoryChange[] = [];
  for (const ref of [...new Set([...Object.keys(before.refs), ...Object.keys(after.refs)])].sort()) {
    const was = before.refs[ref];
    const now = after.refs[ref];
    if (was === now) continue;
    if (ref === own?.branch) {
      if (now !== undefined && own.branchMayMove) continue;
      changes.push({ kind: 'own-branch', name: ref, before: was, after: now, message: describeRefChange(`its own branch ${short(ref)}`, was, now) });
      continue;
    }
    // Parallel lanes, verify and integrate make, move and delete their own branches all the time.
    if (ref.startsWith(`refs/heads/${LANE_BRANCH_PREFIX}`)) continue;
    if (isOtherFeaturesMerge(ref, after)) continue;
    changes.push({ kind: 'ref', name: ref, before: was, after: now, message: describeRefChange(ref, was, now) });
  }
  return changes;
}

/**
 * Another feature's integrate, running beside this lane, moved its own lanes branch: its
 * reflog entry says so. Not for this feature's branch, whose integrate cannot run meanwhile.
 */
function isOtherFeaturesMerge(ref: string, after: RepositorySnapshot): boolean {
  if (!ref.startsWith('refs/heads/lanes/') || ref === after.featureBranch || after.refs[ref] === undefined) return false;
  return after.lastLogMessages[ref] === `nx-agent-lanes: update ${short(ref)}`;
}

function compareHeads(before: RepositorySnapshot, after: RepositorySnapshot): RepositoryChange[] {
  const changes: RepositoryChange[] = [];
  const own = before.own;
  for (const key of Object.keys(before.heads).sort()) {
    const was = before.heads[key];
    const now = after.heads[key];
    if (own && key === `${own.adminDir}/HEAD`) {
      const expected = `ref: ${own.branch}`;
      if (now?.trim() === expected) continue;
      changes.push({
        kind: 'own-head',
        name: key,
        before: expected,
        after: now?.trim(),
        message: `the worktree left its branch ${short(own.branch)}: its HEAD is now ${now === undefined ? 'gone' : `"${now.trim()}"`}`,
      });
    } else if (now !== undefined && was !== now) {
      const where = key === 'HEAD' ? 'your checkout' : `the worktree of ${displayPath(before, path.dirname(key))}`;
      changes.push({ kind: 'head', name: key, before: was.trim(), after: now.trim(), message: `the HEAD of ${where} changed from "${was.trim()}" to "${now.trim()}"` });
    }
  }
  return changes;
}

function compareFiles(before: RepositorySnapshot, after: RepositorySnapshot): RepositoryChange[] {
  const changes: RepositoryChange[] = [];
  for (const key of [...new Set([...Object.keys(before.files), ...Object.keys(after.files)])].sort()) {
    const was = before.files[key];
    const now = after.files[key];
    if (was?.sha256 === now?.sha256 && was?.type === now?.type && was?.mode === now?.mode) continue;
    // A worktree added meanwhile (`git worktree add` writes its folder bit by bit), or one whose
    // missing checkout `git worktree prune` removed whole: git's own doing, not a change to a checkout.
    const admin = /^worktrees\/[^/]+/.exec(key)?.[0];
    if (admin && admin !== before.own?.adminDir) {
      if (before.heads[`${admin}/HEAD`] === undefined) continue;
      if (!now && after.heads[`${admin}/HEAD`] === undefined) continue;
    }
    const what = !was ? 'was added' : !now ? 'was removed' : 'changed';
    changes.push({ kind: 'file', name: key, before: was?.sha256, after: now?.sha256, message: `${displayPath(before, key)} ${what}` });
  }
  return changes;
}

function describeRefChange(what: string, was: string | undefined, now: string | undefined): string {
  if (now === undefined) return `${what} was deleted (it pointed at ${was?.slice(0, 10)})`;
  if (was === undefined) return `${what} was created at ${now.slice(0, 10)}`;
  return `${what} moved from ${was.slice(0, 10)} to ${now.slice(0, 10)}`;
}

/** A path of the common dir as the user would type it: `.git/hooks/pre-commit` in an ordinary clone. */
export function displayPath(snapshot: Pick<RepositorySnapshot, 'repoRoot' | 'commonDir'>, key: string): string {
  const absolute = path.join(snapshot.commonDir, key);
  let root = snapshot.repoRoot;
  try {
    root = fs.realpathSync(root);
  } catch {
    // Gone: show the path as it was given.
  }
  const relative = path.relative(root, absolute);
  return relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative.split(path.sep).join('/');
}

function short(ref: string): string {
  return ref.replace(/^refs\/heads\//, '');
}

function toKey(commonDir: string, absolute: string): string {
  return path.relative(commonDir, absolute).split(path.sep).join('/');
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function readLastLogMessage(file: string): string {
  const lines = (readText(file) ?? '').trimEnd().split('\n');
  const last = lines[lines.length - 1] ?? '';
  const tab = last.indexOf('\t');
  return tab < 0 ? '' : last.slice(tab + 1);
}

function addFile(commonDir: string, key: string, files: Record<string, FileFingerprint>): void {
  const file = path.join(commonDir, key);
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch {
    return;
  }
  try {
    if (stat.isSymbolicLink()) {
      const target = Buffer.from(fs.readlinkSync(file));
      files[key] = { type: 'symlink', mode: stat.mode, sha256: digest(target), content: target };
    } else if (stat.isFile()) {
      const bytes = fs.readFileSync(file);
      files[key] = { type: 'file', mode: stat.mode & 0o777, sha256: digest(bytes), ...(bytes.length <= KEEP_CONTENT_BYTES ? { content: bytes } : {}) };
    }
  } catch (error) {
    // Gone since the lstat: a worktree another run removes meanwhile (`git worktree remove`
    // deletes its folder file by file). Absent, as if the lstat had not found it.
    if (!isGone(error)) throw error;
  }
}

function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function addTree(commonDir: string, dir: string, files: Record<string, FileFingerprint>): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.join(commonDir, dir), { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const key = `${dir}/${entry.name}`;
    if (entry.isDirectory()) addTree(commonDir, key, files);
    else addFile(commonDir, key, files);
  }
}

export function digest(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
