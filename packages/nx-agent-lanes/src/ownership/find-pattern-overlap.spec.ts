import { coversPattern, findCoveredDirectory, findPatternOverlap } from './find-pattern-overlap';

describe('findCoveredDirectory', () => {
  it('returns the folder a pattern holds entirely', () => {
    expect(findCoveredDirectory('apps/web/**')).toBe('apps/web');
    expect(findCoveredDirectory('apps/web')).toBe('apps/web');
    expect(findCoveredDirectory('./apps/web/')).toBe('apps/web');
    expect(findCoveredDirectory('**')).toBe('');
    expect(findCoveredDirectory('apps/web/**/*.ts')).toBeUndefined();
    expect(findCoveredDirectory('apps/*.ts')).toBeUndefined();
  });
});

describe('coversPattern', () => {
  it('is true only when every path of the inner pattern is known to be taken by the outer one', () => {
    expect(coversPattern('apps/web/**', 'apps/web/legacy/**')).toBe(true);
    expect(coversPattern('apps/web', 'apps/web/src/*.ts')).toBe(true);
    expect(coversPattern('apps/web/**', 'apps/web/a.ts')).toBe(true);
    expect(coversPattern('apps/*.ts', 'apps/a.ts')).toBe(true);
    expect(coversPattern('./apps/web/', 'apps/web')).toBe(true);
    expect(coversPattern('apps/web/legacy/**', 'apps/web/**')).toBe(false);
    expect(coversPattern('apps/*.ts', 'apps/**/*.ts')).toBe(false);
    expect(coversPattern('apps/web', 'apps/webapp/**')).toBe(false);
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

  it('sees a literal folder overlap what lives inside it, and not a sibling sharing its prefix', () => {
    expect(findPatternOverlap('apps/api', 'apps/api/src/x.ts')).toBe('apps/api/src/x.ts');
    expect(findPatternOverlap('apps/api/src/**', 'apps/api')).toBe('apps/api/src/**');
    expect(findPatternOverlap('apps/api', 'apps/api/**/*.ts', { repoFiles: ['apps/api/a.md', 'apps/api/b.ts'] })).toBe('apps/api/b.ts');
    expect(findPatternOverlap('apps/api', 'apps/apis/x.ts')).toBeUndefined();
    expect(findPatternOverlap('apps/api', 'apps/apis/**')).toBeUndefined();
  });
});
