import picomatch from 'picomatch';

/**
 * The static directory prefix of a workspace path or glob: `apps/web/**` -> `apps/web`,
 * `apps/api/src/a.ts` -> `apps/api/src/a.ts`, `**\/auth/**` -> ``. Used to map owned globs
 * to Nx projects, and to see that one glob holds everything under another.
 */
export function globBase(pattern: string): string {
  const { base } = picomatch.scan(stripDotSlash(pattern));
  return base.replace(/\/+$/, '');
}

/** True when `pattern` has glob syntax (`*`, `?`, `[...]`, `{...}`, extglobs), not a literal path. */
export function isGlob(pattern: string): boolean {
  return picomatch.scan(pattern).isGlob;
}

function stripDotSlash(pattern: string): string {
  return pattern.replace(/^(\.\/)+/, '');
}
