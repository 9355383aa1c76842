import { existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { LanesError } from '../errors';
import type { MountPlan } from './plan-bwrap-args';

/** A path visible read-only inside the sandbox: at the same place, or `{ path, at }` elsewhere. */
export type ReadableMount = string | { path: string; at: string };

/** Empty tmpfs in every sandbox (plan-bwrap-args): host files under them are not visible. */
const PRIVATE_DIRS = ['/tmp', '/run'];

export interface ResolveSandboxMountsInput {
  /** Read-write inside the sandbox besides the scratch folder: the lane's worktree. */
  writable: string[];
  /** The per-lane scratch folder: writable, and home of the private HOME and TMPDIR. */
  scratch: string;
  readable?: ReadableMount[];
  /** Covered by an empty tmpfs; default the user's home. */
  hidden?: string[];
  /** The PATH the process gets: its directories under a hidden one stay visible (node under ~/.nvm). */
  pathEnv?: string;
  cwd: string;
}

export interface ResolvedSandboxMounts {
  plan: MountPlan;
  /** The private HOME, `<scratch>/home`. */
  home: string;
  /** The private TMPDIR, `<scratch>/tmp`. */
  tmp: string;
}

/**
 * Finds what the sandbox mounts, on disk: real paths (bwrap mounts what a path resolves to), the
 * private HOME and TMPDIR made in scratch, and the git metadata inside writable paths that must
 * stay read-only. A linked worktree's `.git` is a file naming `<common dir>/worktrees/<id>`: the
 * file itself is kept read-only so the process cannot repoint it, and the git directories it names
 * are read-only through the root mount (kept so when they sit inside a writable path, mounted back
 * read-only when they sit under a hidden one). Symlinks in writable paths are never followed to
 * decide a mount: a lane could plant one (`node_modules -> ~`) for the next process to expose, so
 * the repository's node_modules that a worktree links to is passed as `readable` by the caller.
 */
export function resolveSandboxMounts(input: ResolveSandboxMountsInput): ResolvedSandboxMounts {
  const scratch = realDir(input.scratch, 'scratch folder');
  const home = join(scratch, 'home');
  const tmp = join(scratch, 'tmp');
  mkdirSync(home, { recursive: true });
  mkdirSync(tmp, { recursive: true });

  const writable = unique([...input.writable.map((w) => realDir(w, 'writable path')), scratch]);
  for (const w of writable) {
    if (w === '/' || w.split('/').includes('.git')) {
      throw new LanesError(`The sandbox cannot make ${w} writable: it is the whole file system or inside a .git directory.`, {
        hint: 'Pass the lane worktree and its scratch folder as writable paths, never a repository or its git directory.',
      });
    }
  }
  const hidden = unique((input.hidden ?? [homedir()]).filter((h) => h && existsSync(h) && statSync(h).isDirectory()).map((h) => realpathSync(h))).filter(
    (h) => h !== '/',
  );
  const readable = (input.readable ?? []).map((r) => {
    const path = typeof r === 'string' ? r : r.path;
    const source = realExisting(path, 'readable path');
    return { source, target: typeof r === 'string' ? source : resolveTarget(r.at) };
  });
  const visible = () => [...writable, ...readable.map((r) => r.target)];
  // The sandbox's /tmp and /run are empty tmpfs: what lives there on the host is hidden too.
  const covered = [...hidden, ...PRIVATE_DIRS];
  for (const dir of pathDirsUnder(covered, input.pathEnv ?? '')) {
    if (!visible().some((v) => isInside(dir, v))) readable.push({ source: dir, target: dir });
  }

  const gitMetadata = unique(writable.flatMap((w) => findGitMetadata(w)));
  const readOnly = gitMetadata.filter((p) => writable.some((w) => isInside(p, w)));
  // git in the worktree needs its git directories; under a hidden path they come back read-only.
  for (const dir of gitMetadata) {
    if (!visible().some((v) => isInside(dir, v)) && covered.some((h) => isInside(dir, h))) readable.push({ source: dir, target: dir });
  }
  const cwd = resolve(input.cwd);
  const realCwd = existsSync(cwd) ? realpathSync(cwd) : cwd;
  if (!isVisibleInside(realCwd, { covered, visible: visible() })) {
    throw new LanesError(`The sandbox's working directory ${input.cwd} would not be visible inside it (it is under a hidden path, /tmp or /run).`, {
      hint: 'Run the process in the lane worktree, or pass its folder as writable or readable.',
    });
  }
  return { plan: { hidden, readable, writable, readOnly, sockets: [] }, home, tmp };
}

/** `.git` files and directories of a writable path, and the git directories a `.git` file names. */
function findGitMetadata(dir: string): string[] {
  const dotGit = join(dir, '.git');
  let stat;
  try {
    stat = lstatSync(dotGit);
  } catch {
    return [];
  }
  // A symlinked .git is no git metadata the plugin made; binding it would mount whatever it names.
  if (stat.isSymbolicLink()) return [];
  if (stat.isDirectory()) return [dotGit];
  if (!stat.isFile()) return [];
  const found = [dotGit];
  const named = /^gitdir: (.*)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
  if (!named) return found;
  const gitDir = resolve(dir, named);
  if (!existsSync(gitDir)) return found;
  found.push(realpathSync(gitDir));
  const commonFile = join(gitDir, 'commondir');
  if (existsSync(commonFile)) {
    const common = resolve(gitDir, readFileSync(commonFile, 'utf8').trim());
    if (existsSync(common)) found.push(realpathSync(common));
  }
  return found;
}

/**
 * PATH directories under a hidden one, to mount back read-only: a node or agent CLI installed in
 * the user's home (nvm, volta, ~/.local/bin) must still run. A `bin` folder beside a `lib` one is
 * an installation prefix (node's `bin/npx` links into `lib/node_modules`), so the prefix is kept.
 */
function pathDirsUnder(hidden: string[], pathEnv: string): string[] {
  const dirs: string[] = [];
  for (const entry of pathEnv.split(delimiter)) {
    if (!isAbsolute(entry) || !existsSync(entry)) continue;
    const dir = realpathSync(entry);
    if (!hidden.some((h) => isInside(dir, h))) continue;
    const prefix = dirname(dir);
    dirs.push(basename(dir) === 'bin' && existsSync(join(prefix, 'lib')) && !hidden.includes(prefix) ? prefix : dir);
  }
  return unique(dirs);
}

function isVisibleInside(path: string, where: { covered: string[]; visible: string[] }): boolean {
  return where.visible.some((v) => isInside(path, v)) || !where.covered.some((h) => isInside(path, h));
}

/** Whether `path` is `dir` or inside it (both absolute and real). */
export function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function realExisting(path: string, what: string): string {
  try {
    return realpathSync(path);
  } catch {
    throw new LanesError(`The sandbox's ${what} ${path} does not exist.`, { hint: 'Create it before starting the process, or leave it out.' });
  }
}

function realDir(path: string, what: string): string {
  const real = realExisting(path, what);
  if (!statSync(real).isDirectory()) throw new LanesError(`The sandbox's ${what} ${path} is not a directory.`, { hint: 'Pass a folder.' });
  return real;
}

/** A mount target need not exist yet; its nearest existing parent is resolved, as bwrap would. */
function resolveTarget(at: string): string {
  const absolute = resolve(at);
  const parent = dirname(absolute);
  return existsSync(parent) ? join(realpathSync(parent), basename(absolute)) : absolute;
}

function unique(paths: string[]): string[] {
  return [...new Set(paths)];
}
