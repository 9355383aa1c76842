import type { PlanProblem } from '../errors';
import { findFeatureOverlaps, type FeatureOwnership, type OwnedEntry } from './find-feature-overlaps';

/*
 * findFeatureOverlaps pairs entries through an index of static bases; held here to pairing
 * every two entries of different features on generated workspaces: no problem is lost or added.
 */

function featureOf(name: string, lanes: Record<string, { owns: string[]; forbids?: string[] }>): FeatureOwnership {
  let line = 10;
  const owned: OwnedEntry[] = Object.entries(lanes).flatMap(([lane, { owns }]) => owns.map((pattern) => ({ lane, pattern, line: line++, column: 9 })));
  return { name, file: `features/${name}/feature.jsonc`, owned, forbids: new Map(Object.entries(lanes).map(([lane, { forbids }]) => [lane, forbids ?? []])) };
}

/** Every two entries of different features, nesting or not, each pair through the function under test alone. */
function everyPairOf(features: FeatureOwnership[], listFiles: () => string[]): PlanProblem[] {
  const all = features.flatMap((feature) => feature.owned.map((entry) => ({ feature, entry })));
  const problems: PlanProblem[] = [];
  all.forEach((a, i) => {
    for (const b of all.slice(i + 1)) {
      if (b.feature === a.feature) continue;
      problems.push(...findFeatureOverlaps([{ ...a.feature, owned: [a.entry] }, { ...b.feature, owned: [b.entry] }], { listFiles }));
    }
  });
  return inReadingOrder(problems);
}

function inReadingOrder(problems: PlanProblem[]): PlanProblem[] {
  return [...problems].sort((x, y) => x.file.localeCompare(y.file) || x.line - y.line || x.column - y.column || x.message.localeCompare(y.message));
}

describe('findFeatureOverlaps: the index of static bases', () => {
  it('finds what pairing every two entries finds, on generated workspaces', () => {
    let state = 99;
    const random = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
    const patterns = ['**/*.md', 'apps', 'apps/web/**', 'apps/web/src/a.ts', 'apps/web-e2e/**', 'apps/{web,api}/src/**', 'apps/api/src/a.ts', 'libs/*/index.ts', 'libs/csv', 'libs/csv/index.ts', 'README.md'];
    const files = ['README.md', 'apps/web/src/a.ts', 'apps/api/src/a.ts', 'libs/csv/index.ts', 'apps/web-e2e/x.md'];
    let found = 0;
    for (let round = 0; round < 80; round++) {
      const features = Array.from({ length: 2 + Math.floor(random() * 3) }, (_, f) =>
        featureOf(`f${f}`, Object.fromEntries(Array.from({ length: 1 + Math.floor(random() * 2) }, (_, l) => [`l${l}`, { owns: [pick(patterns)], forbids: random() < 0.2 ? [pick(patterns)] : [] }]))),
      );
      const listFiles = () => files.filter((_, i) => (round + i) % 3 !== 0);
      const expected = everyPairOf(features, listFiles);
      found += expected.length;
      expect(inReadingOrder(findFeatureOverlaps(features, { listFiles }))).toEqual(expected);
    }
    expect(found).toBeGreaterThan(40);
  });

  it('compares a thousand features sharing one folder glob with each other, without losing any pair', () => {
    const features = Array.from({ length: 1000 }, (_, i) => featureOf(`f${i}`, { a: { owns: [`libs/f${i}/**`] }, b: { owns: i % 250 === 0 ? ['shared/**'] : [`apps/f${i}/x.ts`] } }));
    const problems = findFeatureOverlaps(features, { listFiles: () => ['shared/a.ts'] });
    // Four features own shared/**: each shares it with the three others.
    expect(problems).toHaveLength(12);
    expect(new Set(problems.map((p) => p.file)).size).toBe(4);
  });
});
