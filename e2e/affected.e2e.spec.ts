import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { laneTaskStatus } from './utils/lane-tasks';
import { addProject, createScratchWorkspace, readAgentRuns, type ScratchWorkspace } from './utils/scratch-workspace';

/**
 * `nx affected -t integrate` end to end. Two features share one app; each
 * kind of commit gives the features it should, and running integrate on them re-executes
 * exactly the lanes whose inputs the commit changed (counted by agent runs).
 */
describe('nx affected -t integrate', () => {
  let ws: ScratchWorkspace;
  let scratch: string;
  let agentLog: string;
  const plans: Record<string, { lanes: Record<string, { owns: string; after?: string[] }> }> = {
    'export-feature': {
      lanes: {
        // .ts: the scripted agent looks for this path to show `after` worked.
        api: { owns: 'apps/api/src/export.ts' },
        logic: { owns: 'libs/export/src/csv.js' },
        web: { owns: 'apps/web/src/export-button.js', after: ['api'] },
      },
    },
    'billing-feature': {
      lanes: {
        invoice: { owns: 'libs/billing/src/invoice.js' },
        page: { owns: 'apps/web/src/billing-page.js' },
      },
    },
  };
  const script = Object.fromEntries(
    Object.values(plans).flatMap((p) =>
      Object.entries(p.lanes).map(([lane, { owns }]) => [lane, { files: { [owns]: `exports.lane = '${lane}'; // ({{upstream}})\n` } }]),
    ),
  );

  const runs = (): string[] => readAgentRuns(agentLog).map((r) => r.lane);
  const env = () => ({ AGENT_LOG: agentLog, AGENT_SCRIPT: JSON.stringify(script), AGENT_SLEEP_MS: '100', CI: 'true' });
  /** The features `nx affected` picks for the last commit (features are the projects with an integrate target). */
  const affectedFeatures = (): string[] =>
    (JSON.parse(ws.nx(['show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD', '--withTarget=integrate', '--json']).stdout) as string[]).sort();
  /** Runs `nx affected -t integrate` for the last commit; returns the lanes whose agent ran, and Nx's output. */
  const runAffected = (): { lanes: string[]; output: string } => {
    const before = runs().length;
    const r = ws.nx(['affected', '-t', 'integrate', '--base=HEAD~1', '--head=HEAD', '--parallel=3'], { env: env() });
    return { lanes: runs().slice(before).sort(), output: r.stdout + r.stderr };
  };
  const commit = (path: string, content: string) => {
    ws.write(path, content);
    ws.commitAll(`change ${path}`);
  };

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-e2e-affected-'));
    agentLog = join(scratch, 'agent-runs.jsonl');
    ws = createScratchWorkspace('affected');
    addProject(ws, 'apps/api');
    addProject(ws, 'apps/web');
    addProject(ws, 'apps/admin'); // no lane owns anything here
    addProject(ws, 'libs/export', { 'src/index.ts': 'export {};\n', 'src/csv.js': "exports.lane = 'before the logic lane';\n" });
    addProject(ws, 'libs/billing');
    ws.write('tools/scripted-agent.js', readFileSync(join(__dirname, 'fixtures', 'scripted-agent.js'), 'utf8'));
    ws.write('nx.json', JSON.stringify({ plugins: [{ plugin: 'nx-agent-lanes' }] }, null, 2));
    for (const [feature, { lanes }] of Object.entries(plans)) {
      const root = `features/${feature}`;
      ws.write(`${root}/contract.md`, `# ${feature} contract\n`);
      for (const [lane, { owns }] of Object.entries(lanes)) ws.write(`${root}/lanes/${lane}.md`, `# ${lane}\n\nWrite ${owns}.\n`);
      ws.write(
        `${root}/feature.jsonc`,
        JSON.stringify({
          goal: `The ${feature}`,
          contract: 'contract.md',
          // Unsandboxed: the scripted agent logs its runs outside the workspace, which a sandboxed lane cannot write.
          sandbox: 'off',
          agent: { provider: 'command', command: 'node tools/scripted-agent.js' },
          lanes: Object.fromEntries(
            Object.entries(lanes).map(([lane, { owns, after }]) => [lane, { spec: `lanes/${lane}.md`, owns: [owns], test: `node ${owns}`, after }]),
          ),
        }),
      );
    }
    ws.commitAll('two features');
    // Every lane has run once: what follows measures reruns only.
    ws.nx(['run-many', '-t', 'integrate', '--parallel=3'], { env: env() });
    expect(runs().sort()).toEqual(['api', 'invoice', 'logic', 'page', 'web']);
  });

  afterAll(() => {
    ws?.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('a file a lane owns: its feature, and that lane alone reruns', () => {
    commit('libs/export/src/csv.js', "exports.lane = 'a new starting point';\n");
    expect(affectedFeatures()).toEqual(['export-feature']);
    expect(runAffected().lanes).toEqual(['logic']);
  });

  it("another file of a lane's project: its feature, but every lane comes from cache", () => {
    // The feature depends on libs/export (createDependencies), so Nx marks it affected. But a
    // lane's hash covers only the files it OWNS at the base commit, not its projects: the agent
    // would start from the same owned content, so its cached result stands. Verify still reruns
    // (its hash covers the whole base tree, since the lane's test may read any file) and so
    // does integrate, on the new base.
    commit('libs/export/src/index.ts', 'export const version = 2;\n');
    expect(affectedFeatures()).toEqual(['export-feature']);
    const { lanes, output } = runAffected();
    expect(lanes).toEqual([]);
    expect(laneTaskStatus(output, 'export-feature', 'lane--logic')).toBe('cache');
    expect(laneTaskStatus(output, 'export-feature', 'verify--logic')).toBe('ran');
  });

  it('a project both features own files in: both features, no lane reruns', () => {
    commit('apps/web/src/index.ts', 'export const web = 2;\n');
    expect(affectedFeatures()).toEqual(['billing-feature', 'export-feature']);
    expect(runAffected().lanes).toEqual([]);
  });

  it("a lane's spec: its feature, and that lane alone reruns", () => {
    commit('features/billing-feature/lanes/invoice.md', '# invoice\n\nWrite the invoice CSV, with a total row.\n');
    expect(affectedFeatures()).toEqual(['billing-feature']);
    expect(runAffected().lanes).toEqual(['invoice']);
  });

  it('the contract: its feature, and every lane of it reruns', () => {
    commit('features/export-feature/contract.md', '# export-feature contract\n\nexportCsv(rows) returns a string.\n');
    expect(affectedFeatures()).toEqual(['export-feature']);
    expect(runAffected().lanes).toEqual(['api', 'logic', 'web']);
  });

  it('an unrelated project: no feature, nothing runs', () => {
    commit('apps/admin/src/index.ts', 'export const admin = 2;\n');
    expect(affectedFeatures()).toEqual([]);
    const { lanes, output } = runAffected();
    expect(lanes).toEqual([]);
    expect(output).not.toContain('integrate');
  });
});
