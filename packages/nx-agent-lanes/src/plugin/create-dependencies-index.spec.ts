import { isPathInside, staticBases } from '../ownership';
import { findOwnedProjects, findOwningProject } from './create-dependencies';

/* The project lookups index the roots; held here to testing every root, on generated workspaces. */

function owningByScan(roots: Array<{ name: string; root: string }>, path: string): string | undefined {
  return roots.find(({ root }) => isPathInside(path, root))?.name;
}

function ownedByScan(roots: Array<{ name: string; root: string }>, patterns: string[]): string[] {
  const found = new Set<string>();
  for (const base of staticBases(patterns)) {
    const holder = owningByScan(roots, base);
    if (holder) found.add(holder);
    for (const { name, root } of roots) if (root !== '' && isPathInside(root, base)) found.add(name);
  }
  return [...found].sort();
}

describe('findOwnedProjects and findOwningProject over many roots', () => {
  it('find what testing every root finds', () => {
    const folders = ['apps', 'apps/api', 'apps/api-e2e', 'apps/api/sub', 'apps/web', 'apps.old', 'libs/a', 'libs/a-b', 'libs/a/b', 'libs/b', 'tools'];
    const patterns = ['apps/**', 'apps/api/src/x.ts', 'apps/api-e2e/**', 'libs/{a,b}/**', 'libs/a', 'libs/a/b/c.ts', '**/*.md', 'tools/x/**', 'docs/a.md', 'apps.old/x'];
    let state = 3;
    const random = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    for (let round = 0; round < 200; round++) {
      const chosen = folders.filter(() => random() < 0.5);
      if (random() < 0.5) chosen.push('');
      const roots = chosen.map((root) => ({ name: root === '' ? 'workspace' : root.replace(/\//g, '-'), root })).sort((a, b) => b.root.length - a.root.length);
      const some = patterns.filter(() => random() < 0.4);
      expect(findOwnedProjects(roots, some)).toEqual(ownedByScan(roots, some));
      for (const path of ['apps/api/sub/x.ts', 'libs/a-b/y', 'docs/a.md', 'apps.old/x', 'apps', '']) expect(findOwningProject(roots, path)).toBe(owningByScan(roots, path));
    }
  });
});
