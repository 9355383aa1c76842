import { globBase, isGlob } from './glob-base';
import { isPathInside, matchPattern, normalizePattern } from './match-pattern';

/**
 * The directory a pattern holds entirely, if any: a literal path holds itself, `dir/**` holds
 * `dir`, `**` holds the workspace (``). Other globs (`dir/*.ts`) hold only part of a directory.
 */
export function findCoveredDirectory(pattern: string): string | undefined {
  const p = normalizePattern(pattern);
  if (!isGlob(p)) return p;
  const base = globBase(p);
  if (p === '**' || p === `${base}/**`) return base;
  return undefined;
}

/**
 * True when every path `inner` can take is known to be taken by `outer` without looking at
 * files: the same pattern, a literal path `outer` matches, or a glob whose static base lies in
 * a directory `outer` holds entirely. A forbid that covers an owned entry this way makes the
 * entry useless; one that covers only part of it is a carve-out.
 */
export function coversPattern(outer: string, inner: string): boolean {
  const po = normalizePattern(outer);
  const pi = normalizePattern(inner);
  if (po === pi) return true;
  if (!isGlob(pi)) return matchPattern(po, pi);
  const dir = findCoveredDirectory(po);
  return dir !== undefined && isPathInside(globBase(pi), dir);
}

export interface FindPatternOverlapOptions {
  /** Workspace files; a file matching both globs proves they overlap. */
  repoFiles?: readonly string[];
}

/**
 * A path both patterns take, or undefined when none is known. Certain overlaps (same path,
 * a literal inside a glob, a pattern inside a directory the other holds) need no files;
 * two partial globs overlap only when some file in `repoFiles` matches both, because
 * deciding it in general (`**\/*.ts` vs `apps/**\/x.*`) is guesswork.
 */
export function findPatternOverlap(
  a: string,
  b: string,
  { repoFiles = [] }: FindPatternOverlapOptions = {},
): string | undefined {
  const pa = normalizePattern(a);
  const pb = normalizePattern(b);
  if (pa === pb) return pa;
  if (coversPattern(pa, pb)) return nameSharedPath(pb, repoFiles);
  if (coversPattern(pb, pa)) return nameSharedPath(pa, repoFiles);
  return repoFiles.find((file) => matchPattern(pa, file) && matchPattern(pb, file));
}

/** Every path `inner` takes is shared: name a real file when one is known, else the pattern. */
function nameSharedPath(inner: string, repoFiles: readonly string[]): string {
  if (!isGlob(inner)) return inner;
  return repoFiles.find((file) => matchPattern(inner, file)) ?? inner;
}
