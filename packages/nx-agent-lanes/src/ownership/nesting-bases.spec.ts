import { isPathInside } from './match-pattern';
import { foldersHolding, forEachNestingPair, indexBase } from './nesting-bases';
import { staticBases } from './static-bases';

describe('foldersHolding', () => {
  it('lists a base, each folder holding it, and the workspace', () => {
    expect(foldersHolding('apps/web/src')).toEqual(['apps/web/src', 'apps/web', 'apps', '']);
    expect(foldersHolding('README.md')).toEqual(['README.md', '']);
    expect(foldersHolding('')).toEqual(['']);
  });

  it('holds exactly the folders isPathInside accepts', () => {
    const paths = ['a', 'a/b', 'a/b/c', 'a-b', 'a/b-c/d', 'ab/c', ''];
    for (const path of paths) {
      for (const folder of paths) expect(foldersHolding(path).includes(folder)).toBe(isPathInside(path, folder));
    }
  });
});

describe('indexBase', () => {
  it.each([
    ['apps/web/**', 'apps/web'],
    ['apps/web/src/a.ts', 'apps/web/src/a.ts'],
    ['./apps/web/', 'apps/web'],
    ['{apps,libs}/**', ''],
    ['apps/@(web|api)/x.ts', 'apps'],
    ['apps/\\[id\\]/*.ts', 'apps'],
    ['\\[x\\]/*.ts', ''],
  ])('%s -> %j', (pattern, base) => {
    expect(indexBase(pattern)).toBe(base);
  });
});

describe('forEachNestingPair', () => {
  it('visits every two items whose bases nest, once each, holder outside or beside item', () => {
    const bases = ['apps/web', 'apps', 'apps/web', 'apps/web-e2e', '', 'libs/x', 'apps/web/src'];
    const visits: string[] = [];
    forEachNestingPair(bases.map((base, i) => ({ base, i })), (x) => x.base, (item, holder) => {
      expect(isPathInside(item.base, holder.base)).toBe(true);
      if (item.base === holder.base) expect(item.i).toBeLessThan(holder.i);
      visits.push([item.i, holder.i].sort().join('-'));
    });
    const expected: string[] = [];
    bases.forEach((a, i) => bases.forEach((b, j) => {
      if (i < j && (isPathInside(a, b) || isPathInside(b, a))) expected.push(`${i}-${j}`);
    }));
    expect(visits.sort()).toEqual(expected.sort());
  });
});

describe('staticBases through parent folders', () => {
  it('keeps what comparing every two bases keeps', () => {
    const patterns = ['a', 'a/b/**', 'a-b/**', 'a/b-c/d.ts', 'ab/*.ts', 'a/b', 'x/y/z', 'x/y/z/**', 'x/yz', './x/', '**/q'];
    const everyPair = (list: string[]) => {
      const bases = [...new Set(list.map((p) => staticBases([p])[0]))].sort();
      return bases.filter((base) => !bases.some((other) => other !== base && isPathInside(base, other)));
    };
    for (let size = 1; size <= patterns.length; size++) {
      for (let start = 0; start + size <= patterns.length; start++) {
        const list = patterns.slice(start, start + size);
        expect(staticBases(list)).toEqual(everyPair(list));
      }
    }
  });
});
