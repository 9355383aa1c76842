import { findFeatureOverlaps, type FeatureOwnership, type OwnedEntry } from './find-feature-overlaps';

/** A feature whose `owns` entries sit one per line from line 10, column 9. */
function featureOf(name: string, lanes: Record<string, { owns: string[]; forbids?: string[] }>): FeatureOwnership {
  let line = 10;
  const owned: OwnedEntry[] = Object.entries(lanes).flatMap(([lane, { owns }]) => owns.map((pattern) => ({ lane, pattern, line: line++, column: 9 })));
  return {
    name,
    file: `features/${name}/feature.jsonc`,
    owned,
    forbids: new Map(Object.entries(lanes).map(([lane, { forbids }]) => [lane, forbids ?? []])),
  };
}

describe('findFeatureOverlaps', () => {
  it('reports a file two features own as a problem of each, naming both features, the file and the other place', () => {
    const exportF = featureOf('export', { api: { owns: ['apps/api/src/export.ts'] } });
    const billing = featureOf('billing', { web: { owns: ['apps/web/src/page.tsx'] }, api: { owns: ['apps/api/src/**'] } });
    expect(findFeatureOverlaps([exportF, billing])).toEqual([
      {
        file: 'features/billing/feature.jsonc',
        line: 11,
        column: 9,
        message:
          'Features `billing` and `export` both own `apps/api/src/export.ts`: lane `api` here (through `apps/api/src/**`), and lane `api` of `export` ' +
          'at features/export/feature.jsonc:10:9. Their branches would conflict when both are merged: give the file to one feature only ' +
          '(remove it from `owns`, or add it to the lane\'s `forbids`, in one of the two plans).',
      },
      {
        file: 'features/export/feature.jsonc',
        line: 10,
        column: 9,
        message: expect.stringContaining(
          'Features `export` and `billing` both own `apps/api/src/export.ts`: lane `api` here, and lane `api` of `billing` as `apps/api/src/**` at features/billing/feature.jsonc:11:9.',
        ),
      },
    ]);
  });

  it('names a real file when both own the same glob, and needs the file list only then', () => {
    const listFiles = jest.fn(() => ['apps/web/src/main.tsx']);
    const problems = findFeatureOverlaps([featureOf('a', { web: { owns: ['apps/web/**'] } }), featureOf('b', { ui: { owns: ['apps/web/**'] } })], { listFiles });
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringContaining('Features `a` and `b` both own `apps/web/src/main.tsx`: lane `web` here (through `apps/web/**`)'),
      expect.stringContaining('Features `b` and `a` both own `apps/web/src/main.tsx`'),
    ]);
    expect(listFiles).toHaveBeenCalledTimes(1);
    const literal = jest.fn(() => []);
    findFeatureOverlaps([featureOf('a', { web: { owns: ['apps/web'] } }), featureOf('b', { ui: { owns: ['apps/web/x.ts'] } })], { listFiles: literal });
    expect(literal).not.toHaveBeenCalled();
  });

  it('finds two partial globs sharing a file only through the workspace files', () => {
    const features = [featureOf('a', { x: { owns: ['libs/**/*.ts'] } }), featureOf('b', { y: { owns: ['libs/csv/*.*'] } })];
    expect(findFeatureOverlaps(features, { listFiles: () => ['libs/csv/a.md'] })).toEqual([]);
    expect(findFeatureOverlaps(features, { listFiles: () => ['libs/csv/a.md', 'libs/csv/a.ts'] }).map((p) => p.file)).toEqual([
      'features/a/feature.jsonc',
      'features/b/feature.jsonc',
    ]);
  });

  it('accepts disjoint features, siblings sharing a prefix, lanes of one feature, and files one of them forbids', () => {
    const listFiles = () => ['apps/web/src/legacy/old.ts', 'apps/web/src/new.ts'];
    expect(
      findFeatureOverlaps([
        featureOf('a', { api: { owns: ['apps/api'] }, also: { owns: ['apps/api/src/x.ts'] } }),
        featureOf('b', { api: { owns: ['apps/apis/**', 'apps/api-e2e/x.ts'] } }),
      ]),
    ).toEqual([]);
    expect(
      findFeatureOverlaps(
        [featureOf('a', { web: { owns: ['apps/web/**'], forbids: ['apps/web/src/legacy/**'] } }), featureOf('b', { old: { owns: ['apps/web/src/legacy/**'] } })],
        { listFiles },
      ),
    ).toEqual([]);
    expect(findFeatureOverlaps([featureOf('only', { a: { owns: ['x/**'] }, b: { owns: ['x/**'] } })])).toEqual([]);
  });

  it('reaches a glob with no static base from every other feature', () => {
    const problems = findFeatureOverlaps([featureOf('a', { auth: { owns: ['**/auth/**'] } }), featureOf('b', { api: { owns: ['apps/api/src/auth/login.ts'] } })]);
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringContaining('both own `apps/api/src/auth/login.ts`'),
      expect.stringContaining('both own `apps/api/src/auth/login.ts`'),
    ]);
  });

  it('stays fast with many features in many folders', () => {
    const features = Array.from({ length: 2000 }, (_, i) => featureOf(`f${i}`, { a: { owns: [`libs/f${i}/src/**`, `apps/f${i}/index.ts`] } }));
    const started = Date.now();
    expect(findFeatureOverlaps(features)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
