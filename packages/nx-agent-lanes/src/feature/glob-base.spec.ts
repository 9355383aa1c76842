import { globBase, isGlob } from './glob-base';
import { findCoveredDirectory, findPatternOverlap, matchPattern, normalizePattern } from './match-pattern';

describe('globBase', () => {
  it.each([
    ['apps/web/**', 'apps/web'],
    ['apps/api/src/a.ts', 'apps/api/src/a.ts'],
    ['apps/web/**/*.tsx', 'apps/web'],
    ['libs/{a,b}/src/**', 'libs'],
    ['apps/x?.ts', 'apps'],
    ['./apps/web/**', 'apps/web'],
    ['apps/web/', 'apps/web'],
    ['**/auth/**', ''],
    ['*.md', ''],
  ])('%s -> %j', (pattern, base) => {
    expect(globBase(pattern)).toBe(base);
  });
});

describe('isGlob', () => {
  it('tells globs from literal paths', () => {
    expect(['a/**', 'a/*.ts', 'a/[ab].ts', 'a/{b,c}', 'a/?.ts'].map(isGlob)).toEqual([true, true, true, true, true]);
    expect(['a/b.ts', 'a/b-c_d.e.ts', 'a'].map(isGlob)).toEqual([false, false, false]);
  });
});

describe('matchPattern', () => {
  it('matches a literal path as itself or a folder, and a glob with dot files', () => {
    expect(normalizePattern('./apps/web/')).toBe('apps/web');
    expect(matchPattern('apps/web', 'apps/web/src/a.ts')).toBe(true);
    expect(matchPattern('apps/web', 'apps/webapp/a.ts')).toBe(false);
    expect(matchPattern('apps/web/**', 'apps/web/.env')).toBe(true);
    expect(matchPattern('apps/*.ts', 'apps/sub/a.ts')).toBe(false);
  });
});

describe('findCoveredDirectory', () => {
  it('returns the folder a pattern holds entirely', () => {
    expect(findCoveredDirectory('apps/web/**')).toBe('apps/web');
    expect(findCoveredDirectory('apps/web')).toBe('apps/web');
    expect(findCoveredDirectory('**')).toBe('');
    expect(findCoveredDirectory('apps/web/**/*.ts')).toBeUndefined();
  });
});

describe('findPatternOverlap', () => {
  it('finds certain overlaps without files and partial-glob overlaps only through files', () => {
    expect(findPatternOverlap('a/x.ts', './a/x.ts')).toBe('a/x.ts');
    expect(findPatternOverlap('a/**', 'a/b/*.ts')).toBe('a/b/*.ts');
    expect(findPatternOverlap('a/*.ts', 'a/x.ts')).toBe('a/x.ts');
    expect(findPatternOverlap('a/*.ts', '**/x.*')).toBeUndefined();
    expect(findPatternOverlap('a/*.ts', '**/x.*', { repoFiles: ['a/y.ts', 'a/x.ts'] })).toBe('a/x.ts');
    expect(findPatternOverlap('a/**', 'b/**')).toBeUndefined();
    expect(findPatternOverlap('a/x.ts', 'a/x.tsx')).toBeUndefined();
  });
});
