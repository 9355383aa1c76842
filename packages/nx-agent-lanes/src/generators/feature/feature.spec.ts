import { addProjectConfiguration, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { parse, type ParseError } from 'jsonc-parser';
import { DEFAULT_AGENT } from '../../feature/default-agent';
import { readFeatureInTree } from '../utils/read-feature-in-tree';
import { featureGenerator } from './feature';

function readPlan(tree: Tree, file: string): Record<string, unknown> {
  const errors: ParseError[] = [];
  const plan = parse(tree.read(file, 'utf-8') ?? '', errors);
  expect(errors).toEqual([]);
  return plan;
}

describe('featureGenerator', () => {
  let tree: Tree;

  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
  });

  it('scaffolds feature.jsonc, contract.md and lanes/ under features/<name>', async () => {
    await featureGenerator(tree, { name: 'export-csv', skipFormat: true });

    expect(tree.exists('features/export-csv/contract.md')).toBe(true);
    expect(tree.exists('features/export-csv/lanes/.gitkeep')).toBe(true);
    const plan = readPlan(tree, 'features/export-csv/feature.jsonc');
    expect(plan).toEqual({
      $schema: '../../node_modules/nx-agent-lanes/feature.schema.json',
      goal: expect.stringContaining('TODO'),
      contract: 'contract.md',
      agent: { ...DEFAULT_AGENT },
      lanes: {},
      review: { risky: [] },
    });
  });

  it('writes a plan the feature model accepts as it is', async () => {
    await featureGenerator(tree, { name: 'export-csv', goal: 'Customers download orders as CSV', skipFormat: true });
    const file = 'features/export-csv/feature.jsonc';

    const result = await readFeatureInTree({ tree, file, text: tree.read(file, 'utf-8') ?? '' });

    expect(result.problems).toEqual([]);
    expect(result.feature).toMatchObject({
      name: 'export-csv',
      goal: 'Customers download orders as CSV',
      contractPath: 'features/export-csv/contract.md',
      lanes: [],
    });
  });

  it('teaches the format in comments: keys, an example lane, disjoint ownership', async () => {
    await featureGenerator(tree, { name: 'export-csv', skipFormat: true });
    const text = tree.read('features/export-csv/feature.jsonc', 'utf-8') ?? '';

    for (const key of ['"spec"', '"owns"', '"forbids"', '"test"', '"after"', '"agent"', '"integration"', '"setup"']) {
      expect(text).toMatch(new RegExp(`^\\s*//.*${key}`, 'm'));
    }
    expect(text).toContain('no two\n  // lanes may own the same file');
    expect(tree.read('features/export-csv/contract.md', 'utf-8')).toContain('Changing this file reruns every lane');
  });

  it('puts the goal in feature.jsonc and contract.md, escaped for JSON only', async () => {
    await featureGenerator(tree, { name: 'export-csv', goal: 'Orders & invoices as "CSV"', skipFormat: true });

    expect(readPlan(tree, 'features/export-csv/feature.jsonc').goal).toBe('Orders & invoices as "CSV"');
    expect(tree.read('features/export-csv/contract.md', 'utf-8')).toContain('Orders & invoices as "CSV"');
  });

  it('records the name when the folder is named otherwise, and points $schema at the right depth', async () => {
    await featureGenerator(tree, { name: 'export-csv', directory: './plans/q3/export/', skipFormat: true });

    const plan = readPlan(tree, 'plans/q3/export/feature.jsonc');
    expect(plan.name).toBe('export-csv');
    expect(plan.$schema).toBe('../../../node_modules/nx-agent-lanes/feature.schema.json');
    const result = await readFeatureInTree({
      tree,
      file: 'plans/q3/export/feature.jsonc',
      text: tree.read('plans/q3/export/feature.jsonc', 'utf-8') ?? '',
    });
    expect(result.feature?.name).toBe('export-csv');
  });

  it('leaves out `name` when the folder already gives it', async () => {
    await featureGenerator(tree, { name: 'export-csv', skipFormat: true });
    expect(readPlan(tree, 'features/export-csv/feature.jsonc')).not.toHaveProperty('name');
  });

  it('refuses a folder that already holds a feature.jsonc, and keeps it', async () => {
    tree.write('features/export-csv/feature.jsonc', '{ "goal": "mine" }');

    await expect(featureGenerator(tree, { name: 'export-csv', skipFormat: true })).rejects.toThrow(
      'features/export-csv/feature.jsonc already exists',
    );
    expect(tree.read('features/export-csv/feature.jsonc', 'utf-8')).toBe('{ "goal": "mine" }');
    expect(tree.exists('features/export-csv/contract.md')).toBe(false);
  });

  it('refuses a name another feature already uses, saying where', async () => {
    tree.write('plans/csv/feature.jsonc', '{\n  // named explicitly\n  "name": "export-csv"\n}');

    await expect(featureGenerator(tree, { name: 'export-csv', skipFormat: true })).rejects.toThrow(
      'A feature named "export-csv" already exists: export-csv (plans/csv/feature.jsonc)',
    );
    expect(tree.exists('features/export-csv/feature.jsonc')).toBe(false);
  });

  it('refuses a name another feature takes from its folder', async () => {
    await featureGenerator(tree, { name: 'export-csv', skipFormat: true });

    await expect(
      featureGenerator(tree, { name: 'export-csv', directory: 'other/place', skipFormat: true }),
    ).rejects.toThrow('export-csv (features/export-csv/feature.jsonc)');
    expect(tree.exists('other/place/feature.jsonc')).toBe(false);
  });

  it('refuses the name of an existing Nx project', async () => {
    addProjectConfiguration(tree, 'api', { root: 'apps/api' });

    await expect(featureGenerator(tree, { name: 'api', skipFormat: true })).rejects.toThrow(
      'already the name of the Nx project in apps/api',
    );
  });

  it.each(['export csv', '1st-feature', 'export--csv', '../escape', 'export-', ''])(
    'refuses the name %p',
    async (name) => {
      const before = tree.listChanges().map((change) => change.path);
      await expect(featureGenerator(tree, { name, skipFormat: true })).rejects.toThrow('is not a valid feature name');
      expect(tree.listChanges().map((change) => change.path)).toEqual(before);
    },
  );

  it.each(['../outside', '/abs/path', '.'])('refuses the directory %p', async (directory) => {
    await expect(featureGenerator(tree, { name: 'export-csv', directory, skipFormat: true })).rejects.toThrow(
      'is not a folder inside the workspace',
    );
  });
});
