/**
 * Pure: the plugin's reading of a patch set against git's own. `git apply` reads sections the
 * plugin's parser does not see (a plain unified diff with no `diff --git` line, one tucked after
 * a hunk's counted lines), so a patch is only judged when both readings agree section by section
 * (issue 11: such a section merged unseen).
 */
import { patchFiles } from './patch-files';

/** One `git apply --numstat -z` record: the path git names for a section (the new one; the old one for a deletion). */
export function parseApplyNumstat(output: string): string[] {
  const paths: string[] = [];
  for (const record of output.split('\0')) {
    const match = /^(?:\d+|-)\t(?:\d+|-)\t([\s\S]*)$/.exec(record);
    if (match) paths.push(match[1]);
  }
  return paths;
}

/** The sections of a patch as the plugin reads them: each starts at its `diff --git` line. */
export function splitPatchSections(patch: string): string[] {
  return patch.split(/(?=^diff --git )/m).filter((section) => section.startsWith('diff --git '));
}

/**
 * What git would apply that the plugin cannot attribute to one of its sections, one sentence
 * each; empty when every section git reads is one the plugin reads, in the same order.
 */
export function findUnattributedSections(patch: string, gitPaths: readonly string[]): string[] {
  const sections = splitPatchSections(patch).map((section) => patchFiles(section));
  const problems: string[] = [];
  const count = Math.max(sections.length, gitPaths.length);
  for (let i = 0; i < count; i++) {
    const gitPath = gitPaths[i];
    const ours = sections[i];
    if (gitPath === undefined) {
      problems.push(`git reads no change where the plugin reads the section for ${ours?.join(' -> ') || '(no path)'}`);
    } else if (!ours || !ours.includes(gitPath)) {
      problems.push(`git would change ${gitPath} in a section that has no \`diff --git\` header of its own`);
    }
  }
  return problems;
}

/** One entry of `git diff-tree --raw -z --no-renames`: modes as git writes them (`120000` is a symlink). */
export interface TreeChange {
  path: string;
  /** A added, D deleted, M modified, T type changed. */
  status: string;
  oldMode: string;
  newMode: string;
}

/** Parses `--raw -z` output: `:<old mode> <new mode> <old id> <new id> <status>` NUL `<path>` NUL, repeated. */
export function parseRawChanges(output: string): TreeChange[] {
  const fields = output.split('\0');
  const changes: TreeChange[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const meta = /^:(\d{6}) (\d{6}) [0-9a-f]+ [0-9a-f]+ ([A-Z])\d*$/.exec(fields[i]);
    if (!meta) continue;
    changes.push({ path: fields[i + 1], status: meta[3], oldMode: meta[1], newMode: meta[2] });
  }
  return changes;
}
