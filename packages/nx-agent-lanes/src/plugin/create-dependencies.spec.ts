import { findOwnedProjects, findOwningProject } from './create-dependencies';

// Longest root first, as createDependencies sorts them.
const roots = [
  { name: 'api-e2e', root: 'apps/api-e2e' },
  { name: 'libs-a', root: 'libs/a' },
  { name: 'libs-b', root: 'libs/b' },
  { name: 'api', root: 'apps/api' },
  { name: 'web', root: 'apps/web' },
  { name: 'workspace', root: '' },
];

describe('findOwningProject', () => {
  it('picks the project with the longest root holding the path, the root project last', () => {
    expect(findOwningProject(roots, 'apps/api/src/x.ts')).toBe('api');
    expect(findOwningProject(roots, 'apps/api-e2e/x.ts')).toBe('api-e2e');
    expect(findOwningProject(roots, 'docs/guide.md')).toBe('workspace');
    expect(findOwningProject(roots.slice(0, -1), 'docs/guide.md')).toBeUndefined();
  });
});

describe('findOwnedProjects', () => {
  it('maps literal files, literal folders and globs to the projects holding their static bases', () => {
    expect(findOwnedProjects(roots, ['apps/api', 'apps/web/src/**/*.tsx'])).toEqual(['api', 'web']);
    expect(findOwnedProjects(roots, ['apps/api/src/routes/export.ts'])).toEqual(['api']);
  });

  it('reaches every project inside a base that lies above project roots', () => {
    expect(findOwnedProjects(roots, ['libs/{a,b}/src/**'])).toEqual(['libs-a', 'libs-b', 'workspace']);
    expect(findOwnedProjects(roots.slice(0, -1), ['apps/**', 'apps/api/src/x.ts'])).toEqual(['api', 'api-e2e', 'web']);
  });

  it('is empty for no patterns', () => {
    expect(findOwnedProjects(roots, [])).toEqual([]);
  });
});
