import { globBase, isGlob } from './glob-base';
import { isPathInside, normalizePattern } from './match-pattern';

/**
 * The folders and files that together hold everything `patterns` can match, sorted and
 * without repeats: a literal path is its own base, a glob's base is its static prefix
 * (`apps/web/**` -> `apps/web`, `**\/auth/**` -> ``), and a base inside another is dropped.
 */
export function staticBases(patterns: readonly string[]): string[] {
  const bases = [...new Set(patterns.map(baseOf))].sort();
  return bases.filter((base) => !bases.some((other) => other !== base && isPathInside(base, other)));
}

function baseOf(pattern: string): string {
  const p = normalizePattern(pattern);
  return isGlob(p) ? globBase(p) : p;
}
