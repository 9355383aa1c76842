import { accessSync, constants, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { LanesError, PlanError } from '../errors';
import type { Feature, Lane } from '../feature/feature-types';
import { parse } from 'jsonc-parser';
import { forEachNestingPair, globBase, isGlob } from '../ownership';
import { readFeature, type FileStatus, type ReadFeatureResult } from '../feature/read-feature';
import { execGitSync } from '../git/run-git';

export interface ProbeFileOptions {
  /** `realpathSync.native(workspaceRoot)`, when the caller probes many paths of one workspace. */
  realRoot?: string;
}

/**
 * Probes a workspace-relative path on disk for the feature model. The path is resolved through
 * every symbolic link, its own and its folders', and judged by where it lands: the plan's text
 * only says where it points on paper.
 */
export function probeFile(workspaceRoot: string, workspacePath: string, options: ProbeFileOptions = {}): FileStatus {
  const absolute = join(workspaceRoot, workspacePath);
  try {
    // Most missing paths are folders a lane is about to create: one stat says so, where
    // resolving links first would look at every folder of the path.
    const stats = statSync(absolute, { throwIfNoEntry: false });
    if (!stats) return 'missing';
    const landed = relative(options.realRoot ?? realpathSync.native(workspaceRoot), realpathSync.native(absolute));
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
 * Whether two lanes own globs that could share a file: only then does the overlap check need
 * the workspace's file list (literal paths and globs in unrelated folders are decided without
 * it). Listing files is the slowest part of reading a plan.
 */
function needsFileList(text: string): boolean {
  if (!/[*?[{]/.test(text)) return false;
  const plan = parse(text, [], { allowTrailingComma: true }) as { lanes?: Record<string, { owns?: unknown }> } | undefined;
  const globs = Object.entries(plan?.lanes ?? {}).flatMap(([lane, entry]) =>
    (Array.isArray(entry?.owns) ? entry.owns : [])
      .filter((p): p is string => typeof p === 'string' && isGlob(p))
      .map((p) => ({ lane, base: globBase(p) })),
  );
  let shared = false;
  forEachNestingPair(
    globs,
    (glob) => glob.base,
    (a, b) => {
      if (a.lane !== b.lane) shared = true;
    },
  );
  return shared;
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
 * only when some plan uses a glob.
 */
export function createFeatureReader(workspaceRoot: string, options: { reuseValidated?: boolean } = {}): FeatureReader {
  let repoFiles: string[] | undefined;
  const listFiles = () => (repoFiles ??= listWorkspaceFiles(workspaceRoot));
  // One pass probes the same folders for many lanes (their specs' folder, the parents of
  // folders they create): the disk is asked once per path.
  let realRoot: { path?: string } | undefined;
  const statuses = new Map<string, FileStatus>();
  const fileStatus = (path: string): FileStatus => {
    let status = statuses.get(path);
    if (status === undefined) {
      realRoot ??= resolveRoot(workspaceRoot);
      status = probeFile(workspaceRoot, path, { realRoot: realRoot.path });
      statuses.set(path, status);
    }
    return status;
  };
  const folders = new Map<string, string[]>();
  const listFoldersOnce = (path: string): string[] => {
    let names = folders.get(path);
    if (names === undefined) {
      names = listFolders(workspaceRoot, path);
      folders.set(path, names);
    }
    return names;
  };
  const read = (file: string): ReadFeatureResult => {
    const text = readFileSync(join(workspaceRoot, file), 'utf8');
    const key = `${workspaceRoot}\0${file}`;
    const known = validated.get(key);
    if (options.reuseValidated && known?.text === text) return known.result;
    if (needsFileList(text)) listFiles();
    const result = readFeature({
      file,
      text,
      fileStatus,
      listFolders: listFoldersOnce,
      repoFiles: repoFiles ?? [],
    });
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
