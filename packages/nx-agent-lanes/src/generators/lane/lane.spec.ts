import { logger, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { parse } from 'jsonc-parser';
import { featureGenerator } from '../feature/feature';
import { readFeatureInTree } from '../utils/read-feature-in-tree';
import { laneGenerator } from './lane';
import type { LaneGeneratorSchema } from './schema';

const FILE = 'features/export-csv/feature.jsonc';

function lane(name: string, owns: string | string[], extra: Partial<LaneGeneratorSchema> = {}): LaneGeneratorSchema {
  return { feature: 'export-csv', name, owns, test: `npx jest ${name}`, skipFormat: true, ...extra };
}

function read(tree: Tree, path: string): string {
  return tree.read(path, 'utf-8') ?? '';
}

describe('laneGenerator', () => {
  let tree: Tree;

  afterEach(() => jest.restoreAllMocks());

  beforeEach(async () => {
    tree = createTreeWithEmptyWorkspace();
    await featureGenerator(tree, { name: 'export-csv', goal: 'CSV exports', skipFormat: true });
    // A comment of the user's own, next to the scaffold's.
    tree.write(FILE, read(tree, FILE).replace('"lanes": {}', '// owned by the data team\n  "lanes": {}'));
  });

  it('adds the lane to feature.jsonc, keeping every comment', async () => {
    const before = read(tree, FILE);
    const comments = before.split('\n').filter((line) => line.trim().startsWith('//'));

    await laneGenerator(
      tree,
      lane('backend', 'apps/api/src/export.ts,apps/api/src/export.spec.ts', {
        forbids: 'apps/web/**',
        test: 'npx jest apps/api/src/export.spec.ts',
      }),
    );

    const after = read(tree, FILE);
    for (const comment of comments) expect(after).toContain(comment);
    expect(after).toContain('// owned by the data team');
    expect(parse(after).lanes).toEqual({
      backend: {
        spec: 'lanes/backend.md',
        owns: ['apps/api/src/export.ts', 'apps/api/src/export.spec.ts'],
        forbids: ['apps/web/**'],
        test: 'npx jest apps/api/src/export.spec.ts',
      },
    });
  });

  it('writes the lane spec: goal, acceptance criteria, owned files, test command', async () => {
    await laneGenerator(
      tree,
      lane('backend', ['apps/api/src/export.ts'], { goal: 'Serve GET /api/export/:kind as CSV', forbids: ['apps/web/**'] }),
    );

    const spec = read(tree, 'features/export-csv/lanes/backend.md');
    expect(spec).toContain('Serve GET /api/export/:kind as CSV');
    expect(spec).toContain('## Acceptance criteria');
    expect(spec).toContain('- `apps/api/src/export.ts`');
    expect(spec).toContain('- `apps/web/**`');
    expect(spec).toContain('```sh\nnpx jest backend\n```');
  });

  it('leaves a plan the feature model accepts, lanes in `after` order', async () => {
    await laneGenerator(tree, lane('backend', 'apps/api/src/export.ts'));
    await laneGenerator(tree, lane('frontend', 'apps/web/src/export.tsx', { after: 'backend', risky: true }));

    const result = await readFeatureInTree({ tree, file: FILE, text: read(tree, FILE) });

    expect(result.problems).toEqual([]);
    expect(result.feature?.lanes.map((l) => [l.name, l.after, l.risky])).toEqual([
      ['backend', [], false],
      ['frontend', ['backend'], true],
    ]);
  });

  it('accepts lists as arrays, comma strings, or both, without duplicates', async () => {
    await laneGenerator(tree, lane('backend', ['apps/api/a.ts, apps/api/b.ts', 'apps/api/a.ts']));
    expect(parse(read(tree, FILE)).lanes.backend.owns).toEqual(['apps/api/a.ts', 'apps/api/b.ts']);
  });

  it('refuses a lane that owns a file another lane owns, naming both and the file, and writes nothing', async () => {
    await laneGenerator(tree, lane('backend', 'apps/api/src/export.ts'));
    const before = read(tree, FILE);

    const refusal = laneGenerator(tree, lane('frontend', 'apps/web/page.tsx,apps/api/src/export.ts'));

    // The feature model's own wording, as `nx run` would print it.
    await expect(refusal).rejects.toThrow(
      /^The feature plan has 1 problem:\n  features\/export-csv\/feature\.jsonc:\d+:\d+: .*`backend`.*`frontend`.*`apps\/api\/src\/export\.ts`/,
    );
    expect(read(tree, FILE)).toBe(before);
    expect(tree.exists('features/export-csv/lanes/frontend.md')).toBe(false);
  });

  it('refuses globs that overlap on a file of the workspace', async () => {
    tree.write('apps/api/src/export.ts', 'export {};');
    await laneGenerator(tree, lane('backend', 'apps/api/src/*.ts'));

    await expect(laneGenerator(tree, lane('exports', 'apps/*/src/export.ts'))).rejects.toThrow(
      /`backend`.*`exports`.*apps\/api\/src\/export\.ts/,
    );
    expect(tree.exists('features/export-csv/lanes/exports.md')).toBe(false);
  });

  it('accepts globs that could overlap but share no file of the workspace', async () => {
    tree.write('apps/web/src/export.ts', 'export {};');
    await laneGenerator(tree, lane('backend', 'apps/api/src/*.ts'));

    await laneGenerator(tree, lane('exports', 'apps/*/src/export.ts'));

    expect(Object.keys(parse(read(tree, FILE)).lanes)).toEqual(['backend', 'exports']);
  });

  it('refuses an `after` that names no lane, and writes nothing', async () => {
    const before = read(tree, FILE);

    await expect(laneGenerator(tree, lane('frontend', 'apps/web/page.tsx', { after: 'backnd' }))).rejects.toThrow(
      /backnd/,
    );
    expect(read(tree, FILE)).toBe(before);
    expect(tree.exists('features/export-csv/lanes/frontend.md')).toBe(false);
  });

  it('refuses a lane name the plan already has, pointing at it', async () => {
    await laneGenerator(tree, lane('backend', 'apps/api/a.ts'));
    const before = read(tree, FILE);
    const line = before.split('\n').findIndex((l) => l.trim().startsWith('"backend": {')) + 1;

    await expect(laneGenerator(tree, lane('backend', 'apps/api/b.ts'))).rejects.toThrow(
      `${FILE}:${line}:5: Lane \`backend\` already exists`,
    );
    expect(read(tree, FILE)).toBe(before);
  });

  it('refuses an unknown feature, listing the known ones and the likely one', async () => {
    await featureGenerator(tree, { name: 'billing', skipFormat: true });

    const refusal = laneGenerator(tree, lane('backend', 'apps/api/a.ts', { feature: 'export-cvs' }));

    await expect(refusal).rejects.toThrow('No feature named "export-cvs". Did you mean `export-csv`?');
    await expect(refusal).rejects.toThrow(
      'Known features: billing (features/billing/feature.jsonc), export-csv (features/export-csv/feature.jsonc).',
    );
  });

  it('finds a feature by the `name` in its feature.jsonc, wherever it lives', async () => {
    await featureGenerator(tree, { name: 'audit-log', directory: 'plans/audit', skipFormat: true });

    await laneGenerator(tree, lane('store', 'libs/audit/store.ts', { feature: 'audit-log' }));

    expect(parse(read(tree, 'plans/audit/feature.jsonc')).lanes.store.owns).toEqual(['libs/audit/store.ts']);
    expect(tree.exists('plans/audit/lanes/store.md')).toBe(true);
  });

  it('ignores plans under node_modules and dist', async () => {
    tree.write('node_modules/some-pkg/features/vendored/feature.jsonc', '{ "goal": "x" }');
    tree.write('dist/features/built/feature.jsonc', '{ "goal": "x" }');

    await expect(laneGenerator(tree, lane('api', 'a.ts', { feature: 'vendored' }))).rejects.toThrow(
      'Known features: export-csv (features/export-csv/feature.jsonc).',
    );
  });

  it('keeps a spec the user wrote first, at the path given', async () => {
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    tree.write('features/export-csv/specs/api.md', '# my own spec\n');

    await laneGenerator(tree, lane('api', 'apps/api/a.ts', { spec: './specs/api.md' }));

    expect(read(tree, 'features/export-csv/specs/api.md')).toBe('# my own spec\n');
    expect(parse(read(tree, FILE)).lanes.api.spec).toBe('specs/api.md');
  });

  it('adds a lane to a plan that is still unfinished elsewhere (a missing contract), without refusing', async () => {
    tree.delete('features/export-csv/contract.md');
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);

    await laneGenerator(tree, lane('api', 'apps/api/a.ts'));

    expect(parse(read(tree, FILE)).lanes.api).toBeDefined();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('features/export-csv/contract.md'));
  });

  it('refuses a plan that is not valid JSON with comments, pointing at the error', async () => {
    tree.write(FILE, '{\n  "lanes": {\n}\n');

    await expect(laneGenerator(tree, lane('api', 'apps/api/a.ts'))).rejects.toThrow(`${FILE}:4:1:`);
    expect(read(tree, FILE)).toBe('{\n  "lanes": {\n}\n');
  });

  it.each([
    [{ owns: '' }, 'needs --owns'],
    [{ owns: ' , ' }, 'needs --owns'],
    [{ test: '  ' }, 'needs --test'],
    [{ name: 'Back End' }, 'is not a valid lane name'],
  ])('refuses %p', async (override, message) => {
    await expect(laneGenerator(tree, { ...lane('backend', 'apps/api/a.ts'), ...override })).rejects.toThrow(message);
  });
});
