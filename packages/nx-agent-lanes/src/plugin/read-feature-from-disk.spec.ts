import { createTestRepo, type TestRepo } from '../git/create-test-repo';
import { createFeatureReader } from './read-feature-from-disk';

describe('createFeatureReader', () => {
  let repo: TestRepo;
  const plan = (web: string[], api: string[]) =>
    JSON.stringify({
      goal: 'g',
      contract: 'contract.md',
      lanes: {
        web: { spec: 'lanes/web.md', owns: web, test: 't' },
        api: { spec: 'lanes/api.md', owns: api, test: 't' },
      },
    });

  beforeEach(() => {
    repo = createTestRepo({
      'features/f/contract.md': '#\n',
      'features/f/lanes/web.md': '#\n',
      'features/f/lanes/api.md': '#\n',
      'apps/web/src/button.ts': 'x\n',
      'apps/api/src/route.ts': 'y\n',
    });
  });
  afterEach(() => repo.cleanup());

  it('finds two globs sharing a real workspace file, naming it', () => {
    repo.write('features/f/feature.jsonc', plan(['apps/web/**'], ['apps/**/*.ts']));
    const { problems } = createFeatureReader(repo.root).read('features/f/feature.jsonc');
    expect(problems.map((p) => p.message).join('\n')).toContain('`apps/web/src/button.ts`');
  });

  it('accepts globs in unrelated folders without listing files', () => {
    repo.write('features/f/feature.jsonc', plan(['apps/web/**'], ['apps/api/**']));
    const { feature, problems } = createFeatureReader(repo.root).read('features/f/feature.jsonc');
    expect(problems).toEqual([]);
    expect(feature?.lanes.map((l) => l.name)).toEqual(['web', 'api']);
  });

  it('reuses a validated plan for the same text, and validates changed text again', () => {
    repo.write('features/f/feature.jsonc', plan(['apps/web/**'], ['apps/api/**']));
    const first = createFeatureReader(repo.root).read('features/f/feature.jsonc');
    expect(createFeatureReader(repo.root, { reuseValidated: true }).read('features/f/feature.jsonc')).toBe(first);
    repo.write('features/f/feature.jsonc', plan(['apps/web/**'], ['apps/web/src/button.ts']));
    const changed = createFeatureReader(repo.root, { reuseValidated: true }).read('features/f/feature.jsonc');
    expect(changed.problems).toHaveLength(1);
  });
});
