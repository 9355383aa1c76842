import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addProject, createScratchWorkspace, readAgentRuns, type ScratchWorkspace } from './utils/scratch-workspace';

/**
 * Three lanes of the command provider in a real Nx workspace: they run at once, one blocks,
 * the answer reruns exactly that lane, and each kind of plan edit reruns exactly the lanes it
 * should (counted by agent runs, which the scripted agent logs outside the workspace).
 */
describe('agent lanes under Nx', () => {
  let ws: ScratchWorkspace;
  let scratch: string;
  let agentLog: string;
  const FEATURE = 'features/export-feature';
  const files: Record<string, string[]> = {
    api: ['apps/api/src/export.ts'],
    logic: ['libs/export/src/csv.ts'],
    web: ['apps/web/src/export-button.ts'],
    docs: ['docs/export.md'],
  };
  /** A lane's agent writes the same code until a test bumps its revision, as an agent given a new spec would write new code. */
  const revision: Record<string, number> = {};
  const script = () =>
    Object.fromEntries(
      Object.entries(files).map(([lane, paths]) => [
        lane,
        {
          files: Object.fromEntries(
            paths.map((p) => [p, `// written by the ${lane} lane, revision ${revision[lane] ?? 0} ({{upstream}})\nexports.lane = '${lane}';\n`]),
          ),
          ...(lane === 'logic'
            ? { block: { question: 'Should timestamps in the CSV be UTC or local time?', unless: 'explicit column header' } }
            : {}),
        },
      ]),
    );

  const runs = () => readAgentRuns(agentLog);
  const lanesRunBy = (fn: () => void): string[] => {
    const before = runs().length;
    fn();
    return runs().slice(before).map((r) => r.lane).sort();
  };
  const runLanes = (lanes: string[], allowFailure = false) =>
    ws.nx(['run-many', `--targets=${lanes.map((l) => `lane--${l}`).join(',')}`, '--projects=export-feature', '--parallel=4'], {
      allowFailure,
      env: { AGENT_LOG: agentLog, AGENT_SCRIPT: JSON.stringify(script()), CI: 'true' },
    });
  const result = (lane: string) => JSON.parse(ws.read(`dist/agent-lanes/export-feature/${lane}/result.json`));

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-e2e-log-'));
    agentLog = join(scratch, 'agent-runs.jsonl');
    ws = createScratchWorkspace('lanes');
    addProject(ws, 'apps/api');
    addProject(ws, 'apps/web');
    addProject(ws, 'libs/export');
    ws.write('tools/scripted-agent.js', readFileSync(join(__dirname, 'fixtures', 'scripted-agent.js'), 'utf8'));
    ws.nx(['g', 'nx-agent-lanes:init']);
    ws.nx(['g', 'nx-agent-lanes:feature', 'export-feature', '--goal', 'Customers download orders as CSV']);
    const lane = (name: string, extra: string[] = []) =>
      ws.nx(['g', 'nx-agent-lanes:lane', 'export-feature', name, '--owns', files[name].join(','), '--test', 'node -e 0', ...extra]);
    lane('api');
    lane('logic');
    lane('web', ['--after', 'api']);
    // Every lane runs the scripted agent through the command provider.
    const planFile = `${FEATURE}/feature.jsonc`;
    // Unsandboxed: the scripted agent logs its runs outside the workspace, which a sandboxed lane cannot write.
    ws.write(planFile, ws.read(planFile).replace(/"agent": \{[^}]*\}/, '"sandbox": "off",\n  "agent": { "provider": "command", "command": "node tools/scripted-agent.js" }'));
    ws.commitAll('plan export-feature');
  });

  afterAll(() => {
    ws?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('runs lanes at once, in their own worktrees, and stops only the blocked one', () => {
    const r = runLanes(['api', 'logic', 'web'], true);
    expect(r.status).not.toBe(0);
    const byLane = Object.fromEntries(runs().map((x) => [x.lane, x]));
    expect(Object.keys(byLane).sort()).toEqual(['api', 'logic', 'web']);
    // api and logic ran at the same time; web waited for api (after: ["api"]) and saw its file.
    expect(byLane.api.start).toBeLessThan(byLane.logic.end);
    expect(byLane.logic.start).toBeLessThan(byLane.api.end);
    expect(byLane.web.start).toBeGreaterThanOrEqual(byLane.api.end);
    expect(result('api').status).toBe('done');
    expect(result('web').status).toBe('done');
    expect(result('logic')).toMatchObject({ status: 'blocked', question: 'Should timestamps in the CSV be UTC or local time?' });
    expect(ws.read('dist/agent-lanes/export-feature/web/lane.patch')).toContain('(api-present)');
    expect(ws.read('dist/agent-lanes/export-feature/web/lane.patch')).not.toContain('apps/api/src/export.ts');
    expect(ws.read('dist/agent-lanes/export-feature/api/lane.patch')).toContain('+++ b/apps/api/src/export.ts');
    expect(r.stdout + r.stderr).toContain('nx g nx-agent-lanes:answer export-feature --lane logic --answer');
    // The user's checkout is untouched: nothing the agents wrote is in it, no worktree is left.
    expect(existsSync(join(ws.root, 'apps/api/src/export.ts'))).toBe(false);
    expect(ws.git(['status', '--porcelain', '--untracked-files=all', '--', 'apps', 'libs'])).toBe('');
    expect(ws.git(['worktree', 'list']).split('\n')).toHaveLength(1);
    expect(ws.git(['branch', '--list', 'agent-lanes/*'])).toBe('');
  });

  it('reruns only the answered lane, then nothing', () => {
    ws.nx(['g', 'nx-agent-lanes:answer', 'export-feature', '--lane', 'logic', '--answer', 'UTC, with an explicit column header']);
    let output = '';
    expect(lanesRunBy(() => (output = runLanes(['api', 'logic', 'web']).stdout))).toEqual(['logic']);
    expect(result('logic').status).toBe('done');
    // The run-level summary, printed after Nx's output, counts the same.
    expect(output).toContain('nx-agent-lanes · export-feature: 1 lane ran, 2 from cache;');
    expect(lanesRunBy(() => (output = runLanes(['api', 'logic', 'web']).stdout))).toEqual([]);
    expect(output).toContain('nx-agent-lanes · export-feature: 0 lanes ran, 3 from cache;');
  });

  it("reruns one lane when its spec or its entry in feature.jsonc changes, and the lanes after it when its patch does", () => {
    // The agent answers the longer spec with new code: web, which starts from api's patch, reruns too.
    revision.api = 1;
    ws.write(`${FEATURE}/lanes/api.md`, ws.read(`${FEATURE}/lanes/api.md`) + '\nAlso stream large exports.\n');
    expect(lanesRunBy(() => runLanes(['api', 'logic', 'web']))).toEqual(['api', 'web']);
    const plan = ws.read(`${FEATURE}/feature.jsonc`);
    // The first lane entry with that test is api's: only api (and web after it) rerun.
    revision.api = 2;
    ws.write(`${FEATURE}/feature.jsonc`, plan.replace('"test": "node -e 0"', '"test": "node -e 1"'));
    expect(lanesRunBy(() => runLanes(['api', 'logic', 'web']))).toEqual(['api', 'web']);
    // api reruns but writes what it wrote last time: web starts from the same patch, so its result stands.
    ws.write(`${FEATURE}/feature.jsonc`, plan.replace('"test": "node -e 0"', '"test": "node -e 2"'));
    expect(lanesRunBy(() => runLanes(['api', 'logic', 'web']))).toEqual(['api']);
  });

  it('runs only a new lane when one is added', () => {
    ws.nx(['g', 'nx-agent-lanes:lane', 'export-feature', 'docs', '--owns', 'docs/export.md', '--test', 'node -e 0']);
    expect(lanesRunBy(() => runLanes(['api', 'logic', 'web', 'docs']))).toEqual(['docs']);
  });

  it('reruns every lane when the contract changes', () => {
    writeFileSync(join(ws.root, FEATURE, 'contract.md'), '# Contract\n\ngenerateExport(userId, format) returns CSV bytes.\n');
    expect(lanesRunBy(() => runLanes(['api', 'logic', 'web', 'docs']))).toEqual(['api', 'docs', 'logic', 'web']);
    expect(lanesRunBy(() => runLanes(['api', 'logic', 'web', 'docs']))).toEqual([]);
  });
});
