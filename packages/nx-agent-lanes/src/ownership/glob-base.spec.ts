import { globBase, isGlob } from './glob-base';

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
