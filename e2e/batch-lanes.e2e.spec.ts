import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripAnsi } from '../tools/demo/export-story';
import { tearDown } from './utils/loopback-lanes';
import { addProject, createScratchWorkspace, listDir, NX_VERSION, readAgentRuns, type ScratchWorkspace } from './utils/scratch-workspace';

/**
 * `nx run-many --batch`: the lanes and verifies of a feature run as two batches (one process
 * each) through the executors' batchImplementation, and leave what a run without --batch
 * leaves: each lane's artifacts, its statuses, and cache entries a second run restores.
 */
/** Whether the workspace's Nx is older than major.minor. */
function nxBefore(major: number, minor: number): boolean {
  const [m, n] = NX_VERSION.replace(/^[^\d]*/, '').split('.').map(Number);
  return m < major || (m === major && n < minor);
}

describe('lanes in one batch', () => {
  let ws: ScratchWorkspace;
  let scratch: string;
  let agentLog: string;
  const LANES = ['api', 'logic', 'web'];
  const files: Record<string, string> = { api: 'apps/api/src/export.ts', logic: 'libs/export/src/csv.ts', web: 'apps/web/src/export-button.ts' };
  const script = Object.fromEntries(
    LANES.map((lane) => [lane, { files: { [files[lane]]: `// written by the ${lane} lane ({{upstream}})\nexports.lane = '${lane}';\n` } }]),
  );
  const targets = LANES.flatMap((l) => [`lane--${l}`, `verify--${l}`]).join(',');
  const runAll = (extra: string[] = []) =>
    ws.nx(['run-many', `--targets=${targets}`, '--projects=batch-feature', '--parallel=6', ...extra], {
      env: { AGENT_LOG: agentLog, AGENT_SCRIPT: JSON.stringify(script), AGENT_SLEEP_MS: '300', CI: 'true' },
    });
  const laneDir = (lane: string) => join(ws.root, 'dist/agent-lanes/batch-feature', lane);
  const readJson = (lane: string, file: string) => JSON.parse(readFileSync(join(laneDir(lane), file), 'utf8'));
  /** What a lane's artifacts say, without the clock's and the run's own figures (times, durations, run ids). */
  const artifactsOf = (lane: string) => {
    const result = readJson(lane, 'result.json');
    const verify = readJson(lane, 'verify.json');
    return {
      // .ran-in marks the command that ran the lane: not a cached output, so a restored lane has none.
      files: listDir(laneDir(lane))
        .filter((f) => f !== '.ran-in')
        .sort(),
      patch: readFileSync(join(laneDir(lane), 'lane.patch'), 'utf8'),
      result: {
        status: result.status,
        provider: result.provider,
        baseCommit: result.baseCommit,
        upstream: result.upstream,
        filesChanged: result.filesChanged,
        agentRuns: result.agentRuns,
        startedFrom: result.startedFrom,
        attempts: (result.attempts ?? []).map((a: { outcome: string; startedFrom: string }) => [a.outcome, a.startedFrom]),
      },
      verify: { passed: verify.passed, laneStatus: verify.laneStatus, files: verify.files, ownership: verify.ownership, risk: verify.risk, tests: verify.tests?.passed },
    };
  };
  const allArtifacts = () => Object.fromEntries(LANES.map((l) => [l, artifactsOf(l)]));
  const agentRuns = () => readAgentRuns(agentLog);
  // Nx colours its lines even when piped.
  const plain = stripAnsi;

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-e2e-batch-log-'));
    agentLog = join(scratch, 'agent-runs.jsonl');
    ws = createScratchWorkspace('batch');
    addProject(ws, 'apps/api');
    addProject(ws, 'apps/web');
    addProject(ws, 'libs/export');
    ws.write('tools/scripted-agent.js', readFileSync(join(__dirname, 'fixtures', 'scripted-agent.js'), 'utf8'));
    ws.nx(['g', 'nx-agent-lanes:init']);
    ws.nx(['g', 'nx-agent-lanes:feature', 'batch-feature', '--goal', 'Customers download orders as CSV']);
    const lane = (name: string, extra: string[] = []) =>
      ws.nx(['g', 'nx-agent-lanes:lane', 'batch-feature', name, '--owns', files[name], '--test', `node ${files[name]}`, ...extra]);
    lane('api');
    lane('logic');
    lane('web', ['--after', 'api']);
    const planFile = 'features/batch-feature/feature.jsonc';
    // Unsandboxed: the scripted agent logs its runs outside the workspace.
    ws.write(planFile, ws.read(planFile).replace(/"agent": \{[^}]*\}/, '"sandbox": "off",\n  "agent": { "provider": "command", "command": "node tools/scripted-agent.js" }'));
    ws.commitAll('plan batch-feature');
  });

  afterAll(async () => {
    await tearDown('KEEP_BATCH_E2E', { ws, scratch });
  });

  it('leaves the artifacts and statuses of a run without --batch, and the next batch runs come from cache', () => {
    runAll();
    const unbatched = allArtifacts();
    expect(agentRuns()).toHaveLength(3);
    expect(unbatched.web.patch).toContain('(api-present)');
    const ranIn = () => LANES.filter((l) => listDir(laneDir(l)).includes('.ran-in'));
    expect(ranIn()).toEqual(LANES);

    // The same lanes from scratch, this time as batches: no artifacts, no cache entries.
    rmSync(join(ws.root, 'dist'), { recursive: true, force: true });
    ws.nx(['reset']);
    const batched = runAll(['--batch']);
    const output = plain(batched.stdout + batched.stderr);
    expect(output).toContain('Running 3 tasks with nx-agent-lanes:agent-lane');
    expect(output).toContain('Running 3 tasks with nx-agent-lanes:verify-lane');
    expect(output).toContain('nx-agent-lanes · batch-feature: 3 lanes ran, 0 from cache;');
    expect(output).not.toMatch(/MaxListenersExceededWarning/);
    expect(allArtifacts()).toEqual(unbatched);
    expect(ranIn()).toEqual(LANES);
    // In one process, web still waited for api (after: ["api"]) and started from its patch; api and logic ran together.
    const byLane = Object.fromEntries(agentRuns().slice(3).map((r) => [r.lane, r]));
    expect(Object.keys(byLane).sort()).toEqual(LANES);
    expect(byLane.web.start).toBeGreaterThanOrEqual(byLane.api.end);
    expect(byLane.api.start).toBeLessThan(byLane.logic.end);
    expect(byLane.logic.start).toBeLessThan(byLane.api.end);
    // No lane left a worktree or a branch behind.
    expect(ws.git(['worktree', 'list']).split('\n')).toHaveLength(1);
    expect(ws.git(['branch', '--list', 'agent-lanes/*'])).toBe('');

    // Again with --batch: from the cache, no agent runs, the artifacts restored as they were. Nx
    // before 23.3 cached web, which ran in the batch after api, under the key it computed before
    // api's lane.patch existed (nrwl/nx#35980), so there web runs once more, then is cached too.
    const stale = nxBefore(23, 3) ? ['web'] : [];
    rmSync(join(ws.root, 'dist'), { recursive: true, force: true });
    const again = plain(runAll(['--batch']).stdout);
    expect(agentRuns().slice(6).map((r) => r.lane)).toEqual(stale);
    expect(again).toContain(`nx-agent-lanes · batch-feature: ${stale.length} lane${stale.length === 1 ? '' : 's'} ran, ${3 - stale.length} from cache;`);
    expect(allArtifacts()).toEqual(unbatched);
    rmSync(join(ws.root, 'dist'), { recursive: true, force: true });
    const third = plain(runAll(['--batch']).stdout);
    expect(agentRuns()).toHaveLength(6 + stale.length);
    expect(third).toContain('nx-agent-lanes · batch-feature: 0 lanes ran, 3 from cache;');
    // The 6 agent and verify tasks; the other 6 are the feature's nx:noop targets, never cached.
    expect(third).toContain('Nx read the output from the cache instead of running the command for 6 out of 12 tasks');
    expect(allArtifacts()).toEqual(unbatched);
  });
});
