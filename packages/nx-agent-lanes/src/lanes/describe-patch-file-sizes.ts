import type { OutputLimits } from '../feature/feature-types';
import type { PatchFileSize } from '../layout';
import { formatBytes } from '../sandbox/format-bytes';

export type PatchSizeLimits = Pick<OutputLimits, 'patchFileWarnBytes' | 'patchFileMaxBytes'>;

/** `path (12.5 MiB)`, each file once, the largest first. */
export function listPatchFileSizes(files: readonly PatchFileSize[]): string {
  return [...files]
    .sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1))
    .map((f) => `${f.path} (${formatBytes(f.bytes)})`)
    .join(', ');
}

/** The lane's log line for files kept in lane.patch though past the warning limit; none when there are none. */
export function describePatchWarnings(warnings: readonly PatchFileSize[], limits: PatchSizeLimits): string[] {
  if (!warnings.length) return [];
  return [
    `warning: lane.patch carries ${warnings.length === 1 ? 'a file' : `${warnings.length} files`} larger than ` +
      `limits.patchFileWarnBytes (${formatBytes(limits.patchFileWarnBytes)}): ${listPatchFileSizes(warnings)}. ` +
      `Each goes into the Nx cache, the lanes branch and the report; if one is generated, keep it out of the lane's change ` +
      `(.gitignore it, or have the build make it). The lane goes on; patchWarnings in result.json lists them.`,
  ];
}

/**
 * Why the lane failed when files were past the maximum: which, how large, which key to raise,
 * and where the work is, since those files are in no patch.
 */
export function describePatchRefusals(options: {
  refusals: readonly PatchFileSize[];
  limits: PatchSizeLimits;
  /** The kept worktree that still holds them, and its branch. */
  worktree: string;
  branch: string;
  /** Where the next run saves that worktree's work before removing it. */
  rescuedDir: string;
}): string {
  const { refusals, limits, worktree, branch, rescuedDir } = options;
  const one = refusals.length === 1;
  return (
    `lane.patch leaves out ${listPatchFileSizes(refusals)}, larger than limits.patchFileMaxBytes (${formatBytes(limits.patchFileMaxBytes)} = ` +
    `${limits.patchFileMaxBytes}): ${one ? 'it was' : 'they were'} not diffed, and stay${one ? 's' : ''} out of the Nx cache, the lanes branch and the report. ` +
    `${one ? 'It is' : 'They are'} still in the kept worktree ${worktree} (branch ${branch}), with the rest of the lane's work; the next ` +
    `nx-agent-lanes run saves that work to ${rescuedDir} before removing the worktree. Keep ${one ? 'the file' : 'such files'} out of the ` +
    `lane's change (.gitignore, or have the build make ${one ? 'it' : 'them'}), or raise limits.patchFileMaxBytes for this lane in feature.jsonc, then rerun the lane`
  );
}
