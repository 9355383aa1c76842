import picomatch from 'picomatch';
import { isGlob } from './glob-base';

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

/** True when any of `patterns` takes `path`; no patterns take nothing. */
export function matchesAny(patterns: readonly string[], path: string): boolean {
  return patterns.some((pattern) => matchPattern(pattern, path));
}

/** `path` is `folder` or lies inside it; the workspace folder `` holds every path. */
export function isPathInside(path: string, folder: string): boolean {
  return folder === '' || path === folder || path.startsWith(`${folder}/`);
}

function compilePattern(pattern: string): (path: string) => boolean {
  const p = normalizePattern(pattern);
  if (isGlob(p)) {
    // The bare regex is several times faster than picomatch's matcher wrapper, which also
    // handles Windows separators and match state we do not need for posix paths.
    const regex = picomatch.makeRe(p, { dot: true });
    return (path) => regex.test(path);
  }
  // `` would otherwise hold everything through isPathInside; a plan never owns it (readLane refuses it).
  if (p === '') return () => false;
  return (path) => isPathInside(path, p);
}
