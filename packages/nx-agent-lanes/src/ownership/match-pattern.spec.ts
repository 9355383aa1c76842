import { isPathInside, matchesAny, matchPattern, normalizePattern } from './match-pattern';

describe('normalizePattern', () => {
  it('drops a leading ./, a trailing / and surrounding space, as git prints paths', () => {
    expect(normalizePattern('./apps/web/')).toBe('apps/web');
    expect(normalizePattern('././apps/web//')).toBe('apps/web');
    expect(normalizePattern('  apps/web/**  ')).toBe('apps/web/**');
    expect(normalizePattern('apps/web')).toBe('apps/web');
  });
});

describe('matchPattern', () => {
  it('matches a literal file as itself only', () => {
    expect(matchPattern('apps/api/src/main.ts', 'apps/api/src/main.ts')).toBe(true);
    expect(matchPattern('apps/api/src/main.ts', 'apps/api/src/main.tsx')).toBe(false);
    expect(matchPattern('apps/api/src/main.ts', 'apps/api/src')).toBe(false);
  });

  it('matches a literal folder as everything inside it, and not a sibling sharing its prefix', () => {
    expect(matchPattern('apps/api', 'apps/api/src/x.ts')).toBe(true);
    expect(matchPattern('apps/api', 'apps/api')).toBe(true);
    expect(matchPattern('apps/api', 'apps/apis/x.ts')).toBe(false);
    expect(matchPattern('apps/api', 'apps/api-e2e/x.ts')).toBe(false);
    expect(matchPattern('./apps/api/', 'apps/api/src/x.ts')).toBe(true);
  });

  it('matches a glob with picomatch, dot files included', () => {
    expect(matchPattern('apps/web/**', 'apps/web/.env')).toBe(true);
    expect(matchPattern('apps/web/**', 'apps/web/src/.hidden/a.ts')).toBe(true);
    expect(matchPattern('**/auth/**', 'apps/api/src/auth/login.ts')).toBe(true);
    expect(matchPattern('apps/*.ts', 'apps/a.ts')).toBe(true);
    expect(matchPattern('apps/*.ts', 'apps/sub/a.ts')).toBe(false);
    expect(matchPattern('apps/{api,web}/src/**', 'apps/web/src/a.ts')).toBe(true);
    expect(matchPattern('./apps/web/**', 'apps/web/a.ts')).toBe(true);
  });

  it('matches nothing for the empty pattern', () => {
    expect(matchPattern('', 'a.ts')).toBe(false);
    expect(matchPattern('./', 'a.ts')).toBe(false);
  });
});

describe('matchesAny', () => {
  it('is true when one pattern takes the path, false for no patterns', () => {
    expect(matchesAny(['apps/web/**', 'docs/guides'], 'docs/guides/csv.md')).toBe(true);
    expect(matchesAny(['apps/web/**', 'docs/guides'], 'docs/guidesx.md')).toBe(false);
    expect(matchesAny([], 'a.ts')).toBe(false);
  });
});

describe('isPathInside', () => {
  it('holds the folder itself and what is under it; `` holds everything', () => {
    expect(isPathInside('apps/web', 'apps/web')).toBe(true);
    expect(isPathInside('apps/web/a.ts', 'apps/web')).toBe(true);
    expect(isPathInside('apps/webapp/a.ts', 'apps/web')).toBe(false);
    expect(isPathInside('anything', '')).toBe(true);
  });
});
