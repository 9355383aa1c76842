import type { FileStatus } from './check-plan-file';
import { findMistypedFolder, type OwnedPathProbes } from './check-owned-paths';
import { readFeature } from './read-feature';

/** A workspace given as its files: folders are every prefix of them. */
function workspaceOf(files: string[]): OwnedPathProbes & { probed: string[] } {
  const folders = new Set(files.flatMap((f) => f.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
  const probed: string[] = [];
  return {
    probed,
    fileStatus: (path): FileStatus => {
      probed.push(path);
      return files.includes(path) ? 'file' : folders.has(path) ? 'directory' : 'missing';
    },
    listFolders: (folder) =>
      [...folders].filter((f) => (folder === '' ? !f.includes('/') : f.startsWith(`${folder}/`) && !f.slice(folder.length + 1).includes('/'))).map((f) => f.split('/').pop()!),
  };
}

const ws = workspaceOf(['packages/orders/src/index.ts', 'packages/billing/src/index.ts', 'apps/web/src/main.tsx', 'README.md']);

describe('findMistypedFolder', () => {
  it('names the existing folder a missing one most likely means, for a literal path and a glob', () => {
    expect(findMistypedFolder('packages/order/src/export.ts', ws)).toEqual({
      missing: 'packages/order',
      existing: 'packages/orders',
      corrected: 'packages/orders/src/export.ts',
    });
    expect(findMistypedFolder('packages/orders/scr/**/*.ts', ws)).toEqual({
      missing: 'packages/orders/scr',
      existing: 'packages/orders/src',
      corrected: 'packages/orders/src/**/*.ts',
    });
    expect(findMistypedFolder('app/web/src/**', ws)).toMatchObject({ missing: 'app', corrected: 'apps/web/src/**' });
  });

  it('accepts new files in existing folders, globs under existing folders, and paths that exist', () => {
    for (const pattern of ['packages/orders/src/export.ts', 'packages/orders/src/new/**', 'packages/orders', 'apps/web/src/*.css', 'README.md', 'CHANGELOG.md', '**/auth/**']) {
      expect(findMistypedFolder(pattern, ws)).toBeUndefined();
    }
  });

  it('takes a missing folder with no near namesake as one the lane creates', () => {
    expect(findMistypedFolder('packages/shipping/src/index.ts', ws)).toBeUndefined();
    expect(findMistypedFolder('libs/export/**', ws)).toBeUndefined();
  });

  it('probes the path and its folder only, when they exist', () => {
    const probes = workspaceOf(['packages/orders/src/index.ts']);
    findMistypedFolder('packages/orders/src/export.ts', probes);
    expect(probes.probed).toEqual(['packages/orders/src/export.ts', 'packages/orders/src']);
  });
});

describe('readFeature: a mistyped owned folder', () => {
  const text = [
    '{',
    '  "goal": "g", "contract": "contract.md",',
    '  "lanes": {',
    '    "api": { "spec": "lanes/api.md", "test": "t",',
    '      "owns": ["packages/orders/src/export.ts", "./packages/order/src/export.spec.ts"] }',
    '  }',
    '}',
  ].join('\n');
  const features = workspaceOf(['features/export/contract.md', 'features/export/lanes/api.md', 'packages/orders/src/index.ts']);

  it('is a plan problem at the entry, with the corrected path and what to do', () => {
    const { feature, problems } = readFeature({ file: 'features/export/feature.jsonc', text, ...features });
    expect(feature).toBeUndefined();
    expect(problems).toEqual([
      {
        file: 'features/export/feature.jsonc',
        line: 5,
        column: 49,
        message:
          'Lane `api` owns `packages/order/src/export.spec.ts`, but folder `packages/order` does not exist, so nothing matches it. ' +
          'Did you mean `packages/orders/src/export.spec.ts` (folder `packages/orders` exists)? Fix the path; if the lane is to create ' +
          '`packages/order`, create that folder first (commit a `.gitkeep` in it) so the plan can tell it from a typo.',
      },
    ]);
  });

  it('is not checked without a folder listing, and passes once the folder exists', () => {
    expect(readFeature({ file: 'features/export/feature.jsonc', text, fileStatus: features.fileStatus }).problems).toEqual([]);
    const created = workspaceOf(['features/export/contract.md', 'features/export/lanes/api.md', 'packages/orders/src/index.ts', 'packages/order/.gitkeep']);
    expect(readFeature({ file: 'features/export/feature.jsonc', text, ...created }).problems).toEqual([]);
  });
});
