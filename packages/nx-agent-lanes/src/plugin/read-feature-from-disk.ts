import { accessSync, constants, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { LanesError, PlanError } from '../errors';
import type { Feature, Lane } from '../feature/feature-types';
import { readFeature, type FileStatus, type ReadFeatureResult } from '../feature/read-feature';
import { execGitSync } from '../git/run-git';

export interface ProbeFileOptions {
  /** `realpathSync.native(workspaceRoot)`, when the caller probes many paths of one workspace. */
  realRoot?: string;
  /**
   * `realpathSync.native` of an absolute folder, when the caller probes many paths in the same
   * folders and keeps each folder's answer for one pass (a plan of 10,000 lanes keeps its specs in
   * one folder).
   */
  realFolder?: (absoluteFolder: string) => string;
}

/**
 * Probes a workspace-relative path on disk for the feature model. The path is resolved through
 * every symbolic link, its own and its folders', and judged by where it lands: the plan's text
 * only says where it points on paper.
 */
export function probeFile(workspaceRoot: string, workspacePath: string, options: ProbeFileOptions = {}): FileStatus {
  const absolute = join(workspaceRoot, workspacePath);
  try {
    // Most missing paths are folders a lane is about to create: one lstat says so, where
    // resolving links first would look at every folder of the path.
    const own = lstatSync(absolute, { throwIfNoEntry: false });
    if (!own) return 'missing';
    // A path that is not a link itself lands where its folder does: the folder's real path
    // (kept per pass) stands in for resolving every folder of every path again.
    const stats = own.isSymbolicLink() ? statSync(absolute, { throwIfNoEntry: false }) : own;
    if (!stats) return 'missing';
    // With a trailing slash, lstat follows a link; such a path is resolved in full.
    const { realFolder } = options;
    const real =
      own.isSymbolicLink() || !realFolder || absolute.endsWith(sep) ? realpathSync.native(absolute) : join(realFolder(dirname(absolute)), basename(absolute));
    const landed = relative(options.realRoot ?? realpathSync.native(workspaceRoot), real);
    if (landed === '..' || landed.startsWith(`..${sep}`) || isAbsolute(landed)) return 'outside-workspace';
    if (stats.isDirectory()) return 'directory';
    accessSync(absolute, constants.R_OK);
    return 'file';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
}

/** The folders directly inside a workspace folder, for "did you mean" on a mistyped owned path. */
export function listFolders(workspaceRoot: string, workspacePath: string): string[] {
  try {
    return readdirSync(join(workspaceRoot, workspacePath), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

/**
 * The workspace's files (tracked and untracked, .gitignore respected), relative and posix.
 * Only needed to decide whether two owned globs overlap; empty outside a git repository,
 * where overlaps are then judged on literal paths only (verify still checks real changes).
 */
export function listWorkspaceFiles(workspaceRoot: string): string[] {
  try {
    const out = execGitSync(workspaceRoot, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']);
    return out.exitCode === 0 ? out.stdout.split('\0').filter(Boolean) : [];
  } catch {
    return [];
  }
}

/**
 * Plans validated in this process, by file: Nx calls createNodes then createDependencies in
 * the same plugin worker, and the second need not validate the same text again.
 */
const validated = new Map<string, { text: string; result: ReadFeatureResult }>();

export interface FeatureReader {
  /** Reads and validates one feature.jsonc (workspace-relative path). */
  read(file: string): ReadFeatureResult;
  /** Reads one feature.jsonc and throws PlanError when it has problems. */
  readOrThrow(file: string): Feature;
  /** The workspace's files, listed once per reader (see listWorkspaceFiles). */
  listFiles(): string[];
}

/**
 * A reader for one pass over the workspace: the file list is listed at most once, and
 * only when two lanes' globs in a plan could share a file.
 */
export function createFeatureReader(workspaceRoot: string, options: { reuseValidated?: boolean } = {}): FeatureReader {
  let repoFiles: string[] | undefined;
  const listFiles = () => (repoFiles ??= listWorkspaceFiles(workspaceRoot));
  // One pass probes the same folders for many lanes (their specs' folder, the parents of
  // folders they create): the disk is asked once per path.
  let realRoot: { path?: string } | undefined;
  const realFolder = oncePerKey((folder) => realpathSync.native(folder));
  const fileStatus = oncePerKey((path): FileStatus => {
    realRoot ??= resolveRoot(workspaceRoot);
    return probeFile(workspaceRoot, path, { realRoot: realRoot.path, realFolder });
  });
  const listFoldersOnce = oncePerKey((path) => listFolders(workspaceRoot, path));
  const read = (file: string): ReadFeatureResult => {
    const text = readFileSync(join(workspaceRoot, file), 'utf8');
    const key = `${workspaceRoot}\0${file}`;
    const known = validated.get(key);
    if (options.reuseValidated && known?.text === text) return known.result;
    const result = readFeature({ file, text, fileStatus, listFolders: listFoldersOnce, repoFiles: listFiles });
    validated.set(key, { text, result });
    return result;
  };
  return {
    read,
    listFiles,
    readOrThrow(file) {
      const result = read(file);
      if (!result.feature) throw new PlanError(result.problems);
      return result.feature;
    },
  };
}

/** `compute` for each key once (an answer is kept only when it returns; a throw is thrown again next time). */
function oncePerKey<T>(compute: (key: string) => T): (key: string) => T {
  const known = new Map<string, T>();
  return (key) => {
    if (known.has(key)) return known.get(key) as T;
    const value = compute(key);
    known.set(key, value);
    return value;
  };
}

/** The workspace root with its links resolved; without a path when that fails (probeFile then reports why). */
function resolveRoot(workspaceRoot: string): { path?: string } {
  try {
    return { path: realpathSync.native(workspaceRoot) };
  } catch {
    return {};
  }
}

/** A lane of a feature by name, or a LanesError listing the lanes there are. */
export function findLane(feature: Feature, laneName: string | undefined): Lane {
  const lane = feature.lanes.find((l) => l.name === laneName);
  if (!lane) {
    throw new LanesError(`Feature ${feature.name} has no lane "${laneName}".`, {
      hint: `Its lanes are: ${feature.lanes.map((l) => l.name).join(', ') || 'none'} (see ${feature.file}).`,
    });
  }
  return lane;
}
