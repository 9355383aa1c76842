import { patchFiles } from '../git/lane-patch';

/**
 * The sections of a git patch that touch any of `paths`, in order: what the review shows in
 * full. Each section starts at its `diff --git` header.
 */
export function extractFileDiffs(patch: string, paths: readonly string[]): string {
  if (!paths.length || !patch) return '';
  const wanted = new Set(paths);
  const sections = patch.split(/^(?=diff --git )/m).filter((s) => s.startsWith('diff --git '));
  return sections.filter((section) => patchFiles(section).some((p) => wanted.has(p))).join('');
}
