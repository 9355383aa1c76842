import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PlanError } from '../errors';
import type { Feature } from '../feature/feature-types';
import { readFeature, type FileStatus, type ReadFeatureResult } from '../feature/read-feature';

/** Probes a workspace-relative path on disk for the feature model. */
export function probeFile(workspaceRoot: string, workspacePath: string): FileStatus {
  const absolute = join(workspaceRoot, workspacePath);
  try {
    if (statSync(absolute).isDirectory()) return 'directory';
    accessSync(absolute, constants.R_OK);
    return 'file';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
}

/** Whether any owned or forbidden path of the plan text is a glob (then overlaps need the file list). */
function mentionsGlob(text: string): boolean {
  return /[*?[{]/.test(text);
}

/**
 * The workspace's files (tracked and untracked, .gitignore respected), relative and posix.
 * Only needed to decide whether two owned globs overlap; empty outside a git repository,
 * where overlaps are then judged on literal paths only (verify still checks real changes).
 */
export function listWorkspaceFiles(workspaceRoot: string): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: workspaceRoot,
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

export interface FeatureReader {
  /** Reads and validates one feature.jsonc (workspace-relative path). */
  read(file: string): ReadFeatureResult;
  /** Reads one feature.jsonc and throws PlanError when it has problems. */
  readOrThrow(file: string): Feature;
}

/**
 * A reader for one pass over the workspace: the file list is listed at most once, and
 * only when some plan uses a glob.
 */
export function createFeatureReader(workspaceRoot: string): FeatureReader {
  let repoFiles: string[] | undefined;
  const read = (file: string): ReadFeatureResult => {
    const text = readFileSync(join(workspaceRoot, file), 'utf8');
    if (mentionsGlob(text) && repoFiles === undefined) repoFiles = listWorkspaceFiles(workspaceRoot);
    return readFeature({
      file,
      text,
      fileStatus: (p) => probeFile(workspaceRoot, p),
      repoFiles: repoFiles ?? [],
    });
  };
  return {
    read,
    readOrThrow(file) {
      const result = read(file);
      if (!result.feature) throw new PlanError(result.problems);
      return result.feature;
    },
  };
}
