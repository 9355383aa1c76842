import picomatch from 'picomatch';
import { globBase, isGlob } from './glob-base';

/*
 * One meaning for `owns`, `forbids` and `review.risky` entries everywhere in the plugin:
 * a literal path names that file or, if it is a directory, everything under it; a glob is
 * matched by picomatch with `dot: true` (owning `apps/web/**` owns `apps/web/.env` too).
 */

const matchers = new Map<string, (path: string) => boolean>();

/** Drops a leading `./` and a trailing `/`: git never prints either, so patterns compare as paths. */
export function normalizePattern(pattern: string): string {
  return pattern.trim().replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

/** True when the workspace-relative `path` falls under `pattern` (literal path or glob). */
export function matchPattern(pattern: string, path: string): boolean {
  // Compiled once per pattern: readFeature runs every workspace file past every owned pattern.
  let matcher = matchers.get(pattern);
  if (!matcher) {
    matcher = compilePattern(pattern);
    matchers.set(pattern, matcher);
  }
  return matcher(path);
}

function compilePattern(pattern: string): (path: string) => boolean {
  const p = normalizePattern(pattern);
  if (isGlob(p)) {
    // The bare regex is several times faster than picomatch's matcher wrapper, which also
    // handles Windows separators and match state we do not need for posix paths.
    const regex = picomatch.makeRe(p, { dot: true });
    return (path) => regex.test(path);
  }
  const folder = `${p}/`;
  return (path) => path === p || path.startsWith(folder);
}

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
  const inside = findContained(pa, pb, repoFiles) ?? findContained(pb, pa, repoFiles);
  if (inside !== undefined) return inside;
  if (!isGlob(pa) && matchPattern(pb, pa)) return pa;
  if (!isGlob(pb) && matchPattern(pa, pb)) return pb;
  return repoFiles.find((file) => matchPattern(pa, file) && matchPattern(pb, file));
}

/** When `outer` holds a whole directory and `inner` lives in it: a path they share. */
function findContained(outer: string, inner: string, repoFiles: readonly string[]): string | undefined {
  const dir = findCoveredDirectory(outer);
  if (dir === undefined) return undefined;
  const innerBase = isGlob(inner) ? globBase(inner) : inner;
  const holds = dir === '' || innerBase === dir || innerBase.startsWith(`${dir}/`);
  if (!holds) return undefined;
  if (!isGlob(inner)) return inner;
  // Every file the inner glob matches is shared; name a real one when we know one.
  return repoFiles.find((file) => matchPattern(inner, file)) ?? inner;
}
