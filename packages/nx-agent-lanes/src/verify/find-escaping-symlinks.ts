import { posix } from 'node:path';
import { patchFiles } from '../git/patch-files';

export interface EscapingSymlink {
  /** Repository-relative path of the symlink. */
  path: string;
  /** What it points at, as written. */
  target: string;
}

/**
 * Symlinks a patch adds (or turns a file into) that point outside the repository or into its
 * `.git`. Ownership checks the link's own path, which the lane may own; but once merged, the
 * link lets anything that follows it (a build, a test, an editor) read or write outside the
 * lane's files, so verify refuses it. Links that stay inside the working tree are ordinary.
 */
export function findEscapingSymlinks(patch: string): EscapingSymlink[] {
  const found: EscapingSymlink[] = [];
  for (const section of patch.split(/(?=^diff --git )/m)) {
    if (!/^(new file mode|new mode) 120000$/m.test(section)) continue;
    const target = /^\+(?!\+\+ )(.*)$/m.exec(section.slice(section.indexOf('\n@@')))?.[1];
    const path = patchFiles(section).pop();
    if (target === undefined || path === undefined) continue;
    if (escapes(path, target)) found.push({ path, target });
  }
  return found;
}

function escapes(path: string, target: string): boolean {
  if (posix.isAbsolute(target) || /^[A-Za-z]:[\\/]/.test(target)) return true;
  const resolved = posix.normalize(posix.join(posix.dirname(path), target));
  return resolved === '..' || resolved.startsWith('../') || resolved === '.git' || resolved.startsWith('.git/');
}
