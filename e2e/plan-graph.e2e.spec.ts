import { addProject, createScratchWorkspace, type ScratchWorkspace } from './utils/scratch-workspace';

/**
 * The plan becomes an Nx task graph: the packed plugin installed in a fresh workspace,
 * features added with its generators, read back through the real nx CLI.
 */
describe('feature plan → Nx project graph', () => {
  let ws: ScratchWorkspace;

  beforeAll(() => {
    ws = createScratchWorkspace('graph');
    addProject(ws, 'apps/api', { 'src/routes/orders.ts': 'export const orders = [];\n' });
    addProject(ws, 'apps/web', { 'src/app.ts': 'export const app = 1;\n' });
    addProject(ws, 'libs/unrelated');
    ws.nx(['g', 'nx-agent-lanes:init']);
    ws.nx(['g', 'nx-agent-lanes:feature', 'export-feature', '--goal', 'Customers download their orders as CSV']);
    ws.nx([
      'g', 'nx-agent-lanes:lane', 'export-feature', 'backend',
      '--owns', 'apps/api/src/routes/export.ts,apps/api/src/routes/export.spec.ts',
      '--forbids', 'apps/web/**',
      '--test', 'node apps/api/src/routes/export.spec.js',
    ]);
    ws.nx([
      'g', 'nx-agent-lanes:lane', 'export-feature', 'frontend',
      '--owns', 'apps/web/src/export/**',
      '--test', 'node -e "process.exit(0)"',
      '--after', 'backend',
    ]);
    ws.commitAll('plan export-feature');
  });

  afterAll(() => ws?.dispose());

  it('registers the plugin in nx.json', () => {
    const nxJson = JSON.parse(ws.read('nx.json'));
    expect(JSON.stringify(nxJson.plugins)).toContain('nx-agent-lanes');
  });

  it('infers lane, verify and integrate targets with their order and outputs', () => {
    const project = JSON.parse(ws.nx(['show', 'project', 'export-feature', '--json']).stdout);
    expect(Object.keys(project.targets).sort()).toEqual(
      ['clean-lanes', 'integrate', 'lane--backend', 'lane--frontend', 'verify--backend', 'verify--frontend'].sort(),
    );
    const t = project.targets;
    expect(t['lane--backend'].executor).toBe('nx-agent-lanes:agent-lane');
    expect(t['verify--backend'].executor).toBe('nx-agent-lanes:verify-lane');
    expect(t.integrate.executor).toBe('nx-agent-lanes:integrate');
    expect(t['lane--frontend'].dependsOn).toEqual(['lane--backend']);
    expect(t['verify--backend'].dependsOn).toEqual(['lane--backend']);
    expect(t['verify--frontend'].dependsOn).toEqual(['lane--frontend', 'lane--backend']);
    expect([...t.integrate.dependsOn].sort()).toEqual(
      ['lane--backend', 'lane--frontend', 'verify--backend', 'verify--frontend'].sort(),
    );
    expect(t['lane--backend'].outputs).toEqual([
      '{workspaceRoot}/dist/agent-lanes/export-feature/backend/result.json',
      '{workspaceRoot}/dist/agent-lanes/export-feature/backend/lane.patch',
      '{workspaceRoot}/dist/agent-lanes/export-feature/backend/transcript.jsonl',
    ]);
    expect(t['verify--frontend'].outputs).toEqual([
      '{workspaceRoot}/dist/agent-lanes/export-feature/frontend/verify.json',
    ]);
    expect(t.integrate.outputs).toEqual(['{workspaceRoot}/dist/agent-lanes/export-feature/integration']);
    expect(t['lane--backend'].cache).toBe(true);
    expect(t['lane--backend'].metadata.description).toMatch(/backend lane/);
    expect(project.metadata.targetGroups['Agent lanes']).toEqual(['lane--backend', 'lane--frontend']);
  });

  it('marks the feature affected by the projects its lanes own files in, and only those', () => {
    const affected = (file: string) =>
      JSON.parse(ws.nx(['show', 'projects', '--affected', `--files=${file}`, '--json']).stdout) as string[];
    expect(affected('apps/api/src/routes/orders.ts')).toEqual(expect.arrayContaining(['api', 'export-feature']));
    expect(affected('apps/web/src/app.ts')).toEqual(expect.arrayContaining(['web', 'export-feature']));
    expect(affected('features/export-feature/lanes/backend.md')).toEqual(['export-feature']);
    expect(affected('libs/unrelated/src/index.ts')).toEqual(['unrelated']);
  });

  it('fails project-graph creation with a located message when two lanes own the same file', () => {
    const file = 'features/export-feature/feature.jsonc';
    const original = ws.read(file);
    try {
      ws.write(file, original.replace('"apps/web/src/export/**"', '"apps/web/src/export/**", "apps/api/src/routes/export.ts"'));
      const result = ws.nx(['show', 'projects'], { allowFailure: true });
      const output = result.stdout + result.stderr;
      expect(result.status).not.toBe(0);
      expect(output).toMatch(/features\/export-feature\/feature\.jsonc:\d+:\d+: .*apps\/api\/src\/routes\/export\.ts/);
      expect(output).toMatch(/backend/);
      expect(output).toMatch(/frontend/);
      expect(output).not.toMatch(/^\s+at .*\.js:\d+:\d+\)?$/m);
    } finally {
      ws.write(file, original);
    }
  });
});
