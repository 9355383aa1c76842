import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { GitConfigEntry } from './plan-git-hardening';

/**
 * What `git config --list` decided (the hardening's overrides) in a folder, kept for every folder
 * whose listing comes from files that read byte for byte the same.
 *
 * A lane task runs a dozen content-reading git commands in the same few folders, each preceded
 * by a listing of about 5 ms of git and a process spawn. The listing of a folder is decided by:
 * - the folder's `.git` (a folder, or a file naming the worktree's git dir) and that git dir's
 *   `commondir`, which say where the repository's files are;
 * - the repository's `config` and the worktree's `config.worktree`;
 * - the user's `~/.gitconfig`, `$XDG_CONFIG_HOME/git/config` (or `~/.config/git/config`) and
 *   `/etc/gitconfig`, and every other file the listing names as an origin;
 * - nothing else, once include directives are ruled out: a listing with `include.path` or
 *   `includeIf.*.path` anywhere (whose targets and conditions, the checked-out branch for one,
 *   could change with no file above changing) is never kept.
 * Every file is read back before a kept answer is used (a few small reads, against a process),
 * so a filter or hook written between two commands, by the user or by an agent through a
 * worktree, is seen by the next command exactly as when every command listed. The answer is
 * found by those readings, with the paths read (all but the folder's own `.git`, whose content
 * counts): so a worktree moved to another folder, or a folder whose `.git` file names the same
 * git dir, finds the answer its first folder's listing gave.
 *
 * GIT_* variables never reach the plugin's git (run-git.ts drops them), so the environment
 * adds only HOME and XDG_CONFIG_HOME, which are part of the key.
 */
export class ConfigListingCache<T> {
  private readonly kept = new Map<string, { origins: readonly string[]; contents: string; value: T }>();

  constructor(private readonly limit = 256) {}

  /** The kept answer for `cwd`, if every file it came from still reads the same. */
  lookup(cwd: string): T | undefined {
    const inputs = this.before(cwd);
    if (!inputs) return undefined;
    const key = cacheKey(inputs);
    const entry = this.kept.get(key);
    if (!entry) return undefined;
    if (readContents(entry.origins) === entry.contents) return entry.value;
    this.kept.delete(key);
    return undefined;
  }

  /**
   * Reads the files a listing in `cwd` depends on, before the listing runs: a file that changes
   * while git lists then no longer matches, and the next command lists again. Undefined where
   * `cwd` is not the top of a checkout (git would look for `.git` further up).
   */
  before(cwd: string): ListingInputs | undefined {
    const files = inputFiles(cwd);
    return files && { files, readings: files.map(readFile) };
  }

  /** Keeps `value`, decided from `entries` listed after `before`, unless the listing used includes. */
  store(cwd: string, before: ListingInputs | undefined, entries: readonly GitConfigEntry[], value: T): void {
    if (!before || entries.some((entry) => INCLUDE_KEY.test(entry.key))) return;
    const origins = [...new Set(entries.flatMap((entry) => originFile(cwd, entry.origin)))].filter((file) => !before.files.includes(file));
    // An origin outside the usual places (a system file under another prefix): read now, so a
    // later change to it is seen too.
    const key = cacheKey(before);
    this.kept.delete(key);
    this.kept.set(key, { origins, contents: readContents(origins), value });
    if (this.kept.size > this.limit) this.kept.delete(this.kept.keys().next().value as string);
  }
}

export interface ListingInputs {
  files: readonly string[];
  /** What each of `files` read, in order (see readFile). */
  readings: ReadonlyArray<FileReading>;
}

/** `include.path` and `includeif.<condition>.path`, as `git config --list` prints them. */
const INCLUDE_KEY = /^include(if\..*)?\.path$/;

/** The files a listing comes from, as read, and HOME and XDG_CONFIG_HOME; the first file, the folder's `.git`, by its content alone. */
const cacheKey = (inputs: ListingInputs) => JSON.stringify([process.env.HOME ?? '', process.env.XDG_CONFIG_HOME ?? '', inputs.files.slice(1), inputs.readings]);

function inputFiles(cwd: string): string[] | undefined {
  const dotGit = join(resolve(cwd), '.git');
  const pointer = readFile(dotGit);
  let gitDir: string;
  if (typeof pointer !== 'string') {
    if (pointer.error !== 'EISDIR') return undefined;
    gitDir = dotGit;
  } else if (pointer.startsWith('gitdir: ')) gitDir = resolve(cwd, utf8(pointer.slice('gitdir: '.length)).trim());
  else return undefined;
  const commonDirFile = join(gitDir, 'commondir');
  const commonPointer = readFile(commonDirFile);
  const commonDir = typeof commonPointer === 'string' ? resolve(gitDir, utf8(commonPointer).trim()) : gitDir;
  const home = process.env.HOME;
  const xdg = process.env.XDG_CONFIG_HOME || (home ? join(home, '.config') : undefined);
  return [
    dotGit,
    commonDirFile,
    join(commonDir, 'config'),
    join(gitDir, 'config.worktree'),
    ...(home ? [join(home, '.gitconfig')] : []),
    ...(xdg ? [join(xdg, 'git', 'config')] : []),
    '/etc/gitconfig',
  ];
}

const utf8 = (bytes: string) => Buffer.from(bytes, 'latin1').toString('utf8');

/** `file:<path>` origins, resolved against `cwd` (git prints the repository's own as `.git/config`). */
function originFile(cwd: string, origin: string | undefined): string[] {
  return origin?.startsWith('file:') ? [resolve(cwd, origin.slice('file:'.length))] : [];
}

type FileReading = string | { error: string };

/** Each file's reading, in one string that changes when any of them does. */
function readContents(files: readonly string[]): string {
  return JSON.stringify(files.map(readFile));
}

/**
 * A file's bytes, one character each (latin1, so two different files never read the same), or
 * the error code reading it gave (ENOENT for a missing file, EISDIR for a folder).
 */
function readFile(file: string): FileReading {
  try {
    return readFileSync(file).toString('latin1');
  } catch (error) {
    return { error: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
}
