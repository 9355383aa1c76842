import picomatch from 'picomatch';

/**
 * The static directory prefix of a workspace path or glob: `apps/web/**` -> `apps/web`,
 * `apps/api/src/a.ts` -> `apps/api/src/a.ts`, `**\/auth/**` -> ``. Used to map owned globs
 * to Nx projects, and to see that one glob holds everything under another.
 */
export function globBase(pattern: string): string {
  return remember(bases, pattern, () => picomatch.scan(stripDotSlash(pattern)).base.replace(/\/+$/, ''));
}

/** True when `pattern` has glob syntax (`*`, `?`, `[...]`, `{...}`, extglobs), not a literal path. */
export function isGlob(pattern: string): boolean {
  return remember(globs, pattern, () => picomatch.scan(pattern).isGlob);
}

function stripDotSlash(pattern: string): string {
  return pattern.replace(/^(\.\/)+/, '');
}

// A plan of 10,000 lanes asks for the same patterns' bases many times over (validation, the
// overlap index, staticBases for the hasher and createDependencies); picomatch.scan was most
// of that time. Bounded, since a long-lived Nx daemon sees every edit of every plan.
const CACHE_LIMIT = 100_000;
const bases = new Map<string, string>();
const globs = new Map<string, boolean>();

function remember<T>(cache: Map<string, T>, key: string, compute: () => T): T {
  const known = cache.get(key);
  if (known !== undefined) return known;
  if (cache.size >= CACHE_LIMIT) cache.clear();
  const value = compute();
  cache.set(key, value);
  return value;
}
