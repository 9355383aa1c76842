import { createTestRepo, type TestRepo } from '../git/create-test-repo';
import { createFeatureReader, probeFile } from './read-feature-from-disk';

/* A wide plan read from disk: each path is probed once for all lanes, and each lane still gets its own verdict. */

describe('createFeatureReader on a plan of many lanes', () => {
  let repo: TestRepo;
  const LANES = 300;

  beforeEach(() => {
    const specs = Object.fromEntries(Array.from({ length: LANES }, (_, i) => [`features/wide/lanes/l${i}.md`, '#\n']));
    repo = createTestRepo({ 'features/wide/contract.md': '#\n', 'packages/orders/src/index.ts': 'x\n', 'README.md': '#\n', ...specs });
  });
  afterEach(() => repo.cleanup());

  const write = (ownsOf: (i: number) => string[]) =>
    repo.write(
      'features/wide/feature.jsonc',
      JSON.stringify({
        goal: 'g',
        contract: 'contract.md',
        agent: { provider: 'command', command: 'true' },
        lanes: Object.fromEntries(Array.from({ length: LANES }, (_, i) => [`l${i}`, { spec: `lanes/l${i}.md`, owns: ownsOf(i), test: 't' }])),
      }),
    );

  it('accepts lanes creating folders of their own beside an existing one', () => {
    write((i) => [`packages/orders/l${i}/**`, `packages/new-l${i}/index.ts`]);
    const { feature, problems } = createFeatureReader(repo.root).read('features/wide/feature.jsonc');
    expect(problems).toEqual([]);
    expect(feature?.lanes).toHaveLength(LANES);
  });

  it('reports the mistyped folder of every lane that mistypes it, each at its own entry', () => {
    write((i) => [i % 100 === 7 ? `packages/order/src/l${i}.ts` : `packages/orders/src/l${i}.ts`]);
    const { problems } = createFeatureReader(repo.root).read('features/wide/feature.jsonc');
    const typos = problems.filter((p) => p.message.includes('does not exist, so nothing matches it'));
    expect(typos.map((p) => p.message.match(/owns `([^`]+)`/)?.[1])).toEqual(['packages/order/src/l7.ts', 'packages/order/src/l107.ts', 'packages/order/src/l207.ts']);
    expect(typos[0].message).toContain('Did you mean `packages/orders/src/l7.ts`');
  });

  it('tells a path through a file from a missing one', () => {
    expect(probeFile(repo.root, 'README.md/inside.md')).toBe('unreadable');
    expect(probeFile(repo.root, 'nowhere/inside.md')).toBe('missing');
    expect(probeFile(repo.root, 'packages/orders')).toBe('directory');
  });
});
