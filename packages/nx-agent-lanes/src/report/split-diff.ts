/** Pure: a multi-file git diff cut into one section per file, so each can be shown and linked alone. */
import { patchFiles } from '../git/patch-files';

export interface FileDiff {
  /** The file's path after the change (its old path for a deletion). */
  path: string;
  /** The section, from its `diff --git` line, without a trailing newline. */
  text: string;
}

export function splitDiff(diff: string): FileDiff[] {
  const sections = diff.split(/^(?=diff --git )/m).filter((s) => s.startsWith('diff --git '));
  return sections.map((section) => {
    const paths = patchFiles(section);
    // patchFiles lists a rename's old path first: the reviewer knows the file by its new name.
    return { path: paths[paths.length - 1] ?? section.split('\n')[0], text: section.replace(/\n+$/, '') };
  });
}
