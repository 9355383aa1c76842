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

  const showProject = (name: string) => JSON.parse(ws.nx(['show', 'project', name, '--json']).stdout);
  const laneTask = (lane: string, target: 'agent' | 'verify') => ({ projects: [`export-feature/${lane}`], target });

  it('registers the plugin in nx.json', () => {
    const nxJson = JSON.parse(ws.read('nx.json'));
    expect(JSON.stringify(nxJson.plugins)).toContain('nx-agent-lanes');
  });

  it('infers one project per lane beside the feature', () => {
    const projects = JSON.parse(ws.nx(['show', 'projects', '--json']).stdout) as string[];
    expect(projects.sort()).toEqual(['api', 'export-feature', 'export-feature/backend', 'export-feature/frontend', 'unrelated', 'web']);
    expect(JSON.parse(ws.nx(['show', 'projects', '--projects=tag:agent-lanes:lane', '--json']).stdout).sort()).toEqual([
      'export-feature/backend',
      'export-feature/frontend',
    ]);
    // A lane project says it is a library, which Nx would otherwise conclude by probing its folder.
    const ofType = (type: string) => JSON.parse(ws.nx(['show', 'projects', `--type=${type}`, '--json']).stdout) as string[];
    expect(ofType('lib')).toEqual(expect.arrayContaining(['export-feature/backend', 'export-feature/frontend']));
    expect(ofType('lib')).not.toContain('export-feature');
    expect(ofType('app')).toContain('export-feature');
  });

  it("infers the feature's lane, verify and integrate targets, each running its lanes' tasks", () => {
    const project = showProject('export-feature');
    expect(project.root).toBe('features/export-feature');
    expect(project.tags).toEqual(['agent-lanes:feature']);
    expect(Object.keys(project.targets).sort()).toEqual(
      ['clean-lanes', 'integrate', 'lane--backend', 'lane--frontend', 'verify--backend', 'verify--frontend'].sort(),
    );
    const t = project.targets;
    for (const lane of ['backend', 'frontend']) {
      expect(t[`lane--${lane}`]).toMatchObject({ executor: 'nx:noop', dependsOn: [laneTask(lane, 'agent')] });
      expect(t[`verify--${lane}`]).toMatchObject({ executor: 'nx:noop', dependsOn: [laneTask(lane, 'verify')] });
    }
    expect(t.integrate.executor).toBe('nx-agent-lanes:integrate');
    expect(t.integrate.cache).toBe(false);
    expect(t.integrate.dependsOn).toEqual(
      expect.arrayContaining([laneTask('backend', 'agent'), laneTask('backend', 'verify'), laneTask('frontend', 'agent'), laneTask('frontend', 'verify')]),
    );
    expect(t.integrate.dependsOn).toHaveLength(4);
    expect(t.integrate.outputs).toEqual(['{workspaceRoot}/dist/agent-lanes/export-feature/integration']);
    expect(t['clean-lanes'].executor).toBe('nx-agent-lanes:clean');
    expect(t['lane--backend'].metadata.description).toMatch(/backend lane/);
    expect(project.metadata.targetGroups).toEqual({
      'Agent lanes': ['lane--backend', 'lane--frontend'],
      Verification: ['verify--backend', 'verify--frontend'],
      Integration: ['integrate', 'clean-lanes'],
    });
  });

  it("infers each lane project's cached agent and verify tasks with their order, inputs and outputs", () => {
    const backend = showProject('export-feature/backend');
    const frontend = showProject('export-feature/frontend');
    expect(backend.root).toBe('features/export-feature/lanes/backend');
    expect(backend.tags).toEqual(['agent-lanes:lane']);
    expect(backend.metadata.description).toBe('Lane backend of feature export-feature: its cached agent and verify tasks');
    expect(Object.keys(backend.targets).sort()).toEqual(['agent', 'verify']);
    const b = backend.targets;
    const f = frontend.targets;

    expect(b.agent.executor).toBe('nx-agent-lanes:agent-lane');
    expect(b.verify.executor).toBe('nx-agent-lanes:verify-lane');
    expect(b.agent.cache).toBe(true);
    expect(b.verify.cache).toBe(true);
    for (const target of ['agent', 'verify']) {
      expect(Object.keys(b[target].options).sort()).toEqual(['featureFile', 'lane', 'plan']);
      expect(b[target].options).toMatchObject({ featureFile: 'features/export-feature/feature.jsonc', lane: 'backend' });
    }
    // Each lane's key is a digest of its own settings (feature-targets.spec.ts shows which).
    for (const target of ['agent', 'verify']) {
      expect(b[target].options.plan).toMatch(/^v2-[0-9a-f]{64}$/);
      expect(f[target].options.plan).toMatch(/^v2-[0-9a-f]{64}$/);
      expect(b[target].options.plan).not.toBe(f[target].options.plan);
    }
    expect(b.agent.options.plan).not.toBe(b.verify.options.plan);

    expect(b.agent.dependsOn).toEqual([]);
    expect(f.agent.dependsOn).toEqual([laneTask('backend', 'agent')]);
    expect(b.verify.dependsOn).toEqual([laneTask('backend', 'agent')]);
    expect(f.verify.dependsOn).toEqual([laneTask('frontend', 'agent'), laneTask('backend', 'agent')]);

    // The agent is keyed on what it reads (contract, spec, notes) and its owned files at the base commit.
    expect(b.agent.inputs).toEqual([
      '{workspaceRoot}/features/export-feature/contract.md',
      '{workspaceRoot}/features/export-feature/lanes/backend.md',
      '{workspaceRoot}/features/export-feature/notes/backend.jsonc',
      { runtime: 'git ls-tree HEAD -- apps/api/src/routes/export.spec.ts apps/api/src/routes/export.ts' },
      { env: 'ANTHROPIC_BASE_URL' },
    ]);
    // A lane that comes after another also on the patch it starts from.
    expect(f.agent.inputs).toEqual([
      '{workspaceRoot}/features/export-feature/contract.md',
      '{workspaceRoot}/features/export-feature/lanes/frontend.md',
      '{workspaceRoot}/features/export-feature/notes/frontend.jsonc',
      { runtime: 'git ls-tree HEAD -- apps/web/src/export' },
      { env: 'ANTHROPIC_BASE_URL' },
      { dependentTasksOutputFiles: '**/lane.patch', transitive: true },
    ]);
    // Verify: the patches it applies, and the whole base tree its tests may read.
    for (const verify of [b.verify, f.verify]) {
      expect(verify.inputs).toEqual([{ dependentTasksOutputFiles: '**/lane.patch', transitive: true }, { runtime: "git rev-parse 'HEAD^{tree}'" }]);
    }

    expect(b.agent.outputs).toEqual([
      '{workspaceRoot}/dist/agent-lanes/export-feature/backend/result.json',
      '{workspaceRoot}/dist/agent-lanes/export-feature/backend/lane.patch',
      '{workspaceRoot}/dist/agent-lanes/export-feature/backend/transcript.jsonl',
    ]);
    expect(f.verify.outputs).toEqual(['{workspaceRoot}/dist/agent-lanes/export-feature/frontend/verify.json']);
  });

  it('marks the feature affected by the projects its lanes own files in, and only those', () => {
    const affected = (file: string) =>
      JSON.parse(ws.nx(['show', 'projects', '--affected', `--files=${file}`, '--json']).stdout) as string[];
    expect(affected('apps/api/src/routes/orders.ts')).toEqual(expect.arrayContaining(['api', 'export-feature']));
    expect(affected('apps/web/src/app.ts')).toEqual(expect.arrayContaining(['web', 'export-feature']));
    // A lane's spec is an input of that lane's agent task alone.
    expect(affected('features/export-feature/lanes/backend.md').sort()).toEqual(['export-feature', 'export-feature/backend']);
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
