import { posix } from 'node:path';
import { globBase, isGlob } from '../ownership';
import type { FileStatus } from './check-plan-file';
import { type PlanContext, reportProblem } from './plan-context';
import type { LaneRead } from './read-lane';
import { suggestName } from './suggest-name';

export interface OwnedPathProbes {
  fileStatus: (workspacePath: string) => FileStatus;
  /** Names of the folders directly inside a workspace folder (`` for the root); [] when it cannot be listed. */
  listFolders: (workspacePath: string) => readonly string[];
}

/** An owned pattern whose folder is missing while a folder with a close name exists beside it. */
export interface MistypedFolder {
  /** The first folder of the pattern that does not exist: `packages/order`. */
  missing: string;
  /** The existing folder it most likely means: `packages/orders`. */
  existing: string;
  /** The pattern with that folder put right: `packages/orders/src/index.ts`. */
  corrected: string;
}

/**
 * A typo in an owned folder is refused before any agent runs: the lane would be paid to write
 * files verify then rejects, and the feature would depend on no project. A folder that
 * is missing with no existing folder of a close name is taken as one the lane creates.
 */
export function checkOwnedPaths(ctx: PlanContext, lanes: readonly LaneRead[], probes: OwnedPathProbes): void {
  // Lanes that create folders side by side ask about the same missing folder (`src` of
  // `src/<lane>/**` in a workspace with no `src` yet): each folder's listing is compared once.
  const suggestions = new Map<string, string | undefined>();
  const suggestFolder = (parent: string, name: string): string | undefined => {
    const key = `${parent}\0${name}`;
    if (!suggestions.has(key)) suggestions.set(key, suggestName(name, probes.listFolders(parent)));
    return suggestions.get(key);
  };
  for (const lane of lanes) {
    for (const { value, node } of lane.owns) {
      const typo = findMistypedFolder(value, probes, suggestFolder);
      if (!typo) continue;
      reportProblem(
        ctx,
        node,
        `Lane \`${lane.name}\` owns \`${value}\`, but folder \`${typo.missing}\` does not exist, so nothing matches it. ` +
          `Did you mean \`${typo.corrected}\` (folder \`${typo.existing}\` exists)? Fix the path; if the lane is to create ` +
          `\`${typo.missing}\`, create that folder first (commit a \`.gitkeep\` in it) so the plan can tell it from a typo.`,
      );
    }
  }
}

/**
 * For a normalised `pattern`, the missing folder and the existing one it likely means, when the
 * pattern matches nothing for that reason. A literal path to a new file in an existing folder,
 * and a glob under an existing folder, are fine however few files they match today.
 */
export function findMistypedFolder(
  pattern: string,
  probes: OwnedPathProbes,
  suggestFolder: (parent: string, name: string) => string | undefined = (parent, name) => suggestName(name, probes.listFolders(parent)),
): MistypedFolder | undefined {
  const exists = (path: string) => path === '' || probes.fileStatus(path) !== 'missing';
  const glob = isGlob(pattern);
  const base = glob ? globBase(pattern) : pattern;
  if (base === '' || exists(base)) return undefined;
  // A literal path may name the file the lane creates: only its folder has to be there.
  const folder = glob ? base : posix.dirname(base);
  if (folder === '.' || exists(folder)) return undefined;

  const segments = folder.split('/');
  let parent = '';
  for (const segment of segments) {
    const path = parent ? `${parent}/${segment}` : segment;
    if (!exists(path)) {
      const suggestion = suggestFolder(parent, segment);
      if (suggestion === undefined) return undefined;
      const existing = parent ? `${parent}/${suggestion}` : suggestion;
      return { missing: path, existing, corrected: `${existing}${pattern.slice(path.length)}` };
    }
    parent = path;
  }
  return undefined;
}
