import { globBase, isGlob } from './glob-base';
import { normalizePattern } from './match-pattern';
import { foldersHolding } from './nesting-bases';

/**
 * The folders and files that together hold everything `patterns` can match, sorted and
 * without repeats: a literal path is its own base, a glob's base is its static prefix
 * (`apps/web/**` -> `apps/web`, `**\/auth/**` -> ``), and a base inside another is dropped.
 * A base is inside another exactly when that other is one of its parent folders, so each
 * base looks up its own parents instead of being compared with every other base.
 */
export function staticBases(patterns: readonly string[]): string[] {
  const bases = new Set(patterns.map(baseOf));
  return [...bases].filter((base) => !foldersHolding(base).some((folder) => folder !== base && bases.has(folder))).sort();
}

function baseOf(pattern: string): string {
  const p = normalizePattern(pattern);
  return isGlob(p) ? globBase(p) : p;
}
