import type { CreateNodesContextV2 } from '@nx/devkit';
import { PlanError } from '../errors';
import { createTestRepo, type TestRepo } from '../git/create-test-repo';
import { createNodesV2 } from './create-nodes';

describe('createNodesV2 across features', () => {
  let repo: TestRepo;
  const run = createNodesV2[1];
  const context = (): CreateNodesContextV2 => ({ workspaceRoot: repo.root, nxJsonConfiguration: {} });
  const writeFeature = (name: string, owns: string[]) => {
    repo.write(`features/${name}/contract.md`, '#\n');
    repo.write(`features/${name}/lanes/a.md`, '#\n');
    repo.write(
      `features/${name}/feature.jsonc`,
      ['{', '  "goal": "g", "contract": "contract.md",', '  "lanes": {', `    "a": { "spec": "lanes/a.md", "test": "t", "owns": ${JSON.stringify(owns)} }`, '  }', '}'].join('\n'),
    );
  };
  /** The errors createNodesFromFiles gathered, by file. */
  async function errorsOf(files: string[]): Promise<Map<string, unknown>> {
    try {
      await run(files, undefined, context());
      return new Map();
    } catch (error) {
      return new Map((error as { errors: Array<[string, unknown]> }).errors);
    }
  }

  beforeEach(() => {
    repo = createTestRepo({ 'apps/api/src/index.ts': 'x\n', 'apps/web/src/index.ts': 'y\n' });
  });
  afterEach(() => repo.cleanup());

  it('refuses two features owning one file, in each feature.jsonc at its own entry', async () => {
    writeFeature('export', ['apps/api/src/export.ts']);
    writeFeature('billing', ['apps/api/src/**']);
    const errors = await errorsOf(['features/billing/feature.jsonc', 'features/export/feature.jsonc']);
    expect([...errors.keys()]).toEqual(['features/billing/feature.jsonc', 'features/export/feature.jsonc']);
    const billing = errors.get('features/billing/feature.jsonc') as PlanError;
    expect(billing).toBeInstanceOf(PlanError);
    expect(billing.message).toContain(
      'features/billing/feature.jsonc:4:56: Features `billing` and `export` both own `apps/api/src/export.ts`: lane `a` here (through `apps/api/src/**`), ' +
        'and lane `a` of `export` at features/export/feature.jsonc:4:56.',
    );
    expect((errors.get('features/export/feature.jsonc') as PlanError).problems).toEqual([
      expect.objectContaining({ file: 'features/export/feature.jsonc', line: 4, column: 56 }),
    ]);
  });

  it('builds both features when they own different files', async () => {
    writeFeature('export', ['apps/api/src/export.ts']);
    writeFeature('billing', ['apps/web/src/**']);
    const results = await run(['features/billing/feature.jsonc', 'features/export/feature.jsonc'], undefined, context());
    expect(results.map(([file, r]) => [file, Object.keys(r.projects ?? {})])).toEqual([
      ['features/billing/feature.jsonc', ['features/billing/lanes/a', 'features/billing']],
      ['features/export/feature.jsonc', ['features/export/lanes/a', 'features/export']],
    ]);
  });

  it('refuses a mistyped owned folder with the folder it means', async () => {
    writeFeature('export', ['app/api/src/export.ts']);
    const error = (await errorsOf(['features/export/feature.jsonc'])).get('features/export/feature.jsonc') as PlanError;
    expect(error.problems.map((p) => p.message)).toEqual([expect.stringContaining('Did you mean `apps/api/src/export.ts` (folder `apps` exists)?')]);
  });
});
