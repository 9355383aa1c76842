import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLaneRepo, disposeLaneRepo, scriptedProvider, testFeature, testLane } from '../__fixtures__/lane-fixture';
import type { Feature } from '../feature/feature-types';
import type { TestRepo } from '../git/create-test-repo';
import { runLane } from '../lanes/run-lane';
import { appendLaneNote } from '../notes/lane-notes';
import type { ReviewReport } from '../report/review-report';
import { verifyLane } from '../verify/verify-lane';
import { integrateFeature } from './integrate-feature';

/** Integrate keeps every run's report and never lets a no-op rerun replace the one that did the work. */
describe('integrate: reports kept per run', () => {
  let repo: TestRepo;
  let feature: Feature;
  const dir = () => join(repo.root, 'dist/agent-lanes/f/integration');
  const top = () => JSON.parse(readFileSync(join(dir(), 'result.json'), 'utf8')) as ReviewReport;
  const runs = () => readdirSync(join(dir(), 'runs')).sort();
  let clock = Date.parse('2026-03-01T10:00:00.000Z');
  const now = () => (clock += 1000);

  async function runLanes(lanes: string[], p = scriptedProvider({ api: { edits: { 'apps/api/x.js': 'x\n' } }, logic: { edits: { 'libs/export/y.js': 'y\n' }, result: { costUsd: 0.02 } } })) {
    for (const lane of feature.lanes.filter((l) => lanes.includes(l.name))) {
      await runLane({ workspaceRoot: repo.root, feature, lane, providers: { command: p } });
      await verifyLane({ workspaceRoot: repo.root, feature, lane });
    }
  }

  beforeEach(() => {
    feature = testFeature([testLane('api', ['apps/api/**']), testLane('logic', ['libs/export/**'])], { integration: { test: 'true' } });
    repo = createLaneRepo(feature);
  });
  afterEach(() => disposeLaneRepo(repo));

  it('writes each run under runs/<id>; a no-op rerun adds a line to the kept report instead of replacing it', async () => {
    await runLanes(['api', 'logic']);
    const worked = await integrateFeature({ workspaceRoot: repo.root, feature, now, invocation: undefined });
    expect(worked.report.outcome).toBe('green');
    expect(runs()).toEqual([worked.report.runId]);
    const keptMarkdown = readFileSync(join(dir(), 'report.md'), 'utf8');
    expect(readFileSync(join(dir(), 'runs', worked.report.runId!, 'report.md'), 'utf8')).toBe(keptMarkdown);
    expect(keptMarkdown).toContain('2 lanes took');

    // Another `nx` command: every lane comes from cache, nothing differs.
    const rerun = await integrateFeature({ workspaceRoot: repo.root, feature, now, invocation: 'a later nx command' });
    expect(runs()).toEqual([worked.report.runId, rerun.report.runId].sort());
    expect(rerun.report.lanes.every((l) => l.fromCache)).toBe(true);
    expect(top().runId).toBe(worked.report.runId);
    expect(top().history!.map((r) => r.noop)).toEqual([false, true]);
    const markdown = readFileSync(join(dir(), 'report.md'), 'utf8');
    expect(markdown).toContain(`- ${rerun.report.generatedAt}: no-op rerun, all 2 lanes from cache, $0`);
    expect(markdown).toContain('2 lanes took');
    expect(markdown).not.toContain('0 lanes (2 more from cache)');
    // The no-op run's own report is in its folder, and the kept HTML lists both runs.
    expect(readFileSync(join(dir(), 'runs', rerun.report.runId!, 'report.md'), 'utf8')).toContain('0 lanes (2 more from cache)');
    const html = readFileSync(join(dir(), 'report.html'), 'utf8');
    expect(html).toContain(`<tr data-run="${rerun.report.runId}" data-outcome="green">`);
    expect(html).toContain(`href="runs/${worked.report.runId}/report.html"`);

    // Feedback reruns one lane: that run changed something and becomes the top-level report.
    mkdirSync(join(repo.root, 'features/f/notes'), { recursive: true });
    writeFileSync(join(repo.root, 'features/f/notes/logic.jsonc'), appendLaneNote(undefined, { kind: 'feedback', value: { message: 'more' } }));
    await runLanes(['logic'], scriptedProvider({ logic: { edits: { 'libs/export/z.js': 'z\n' }, result: { costUsd: 0.03 } } }));
    // In one process every lane's marker names the same command: the api lane's ran in an earlier one.
    writeFileSync(join(repo.root, 'dist/agent-lanes/f/api/.ran-in'), 'an earlier nx command');
    const fixed = await integrateFeature({ workspaceRoot: repo.root, feature, now, invocation: undefined });
    expect(top().runId).toBe(fixed.report.runId);
    expect(top().history!.map((r) => [r.noop, r.lanesRan])).toEqual([
      [false, 2],
      [true, 0],
      [false, 1],
    ]);
    // Every attempt is in the total: api 0.001, logic 0.02 then 0.03.
    expect(fixed.report.totals).toMatchObject({ costUsd: 0.051, attempts: 3 });
    expect(fixed.report.thisRun).toMatchObject({ costUsd: 0.03, lanesRan: 1, lanesFromCache: 1 });
    expect(readFileSync(join(dir(), 'report.md'), 'utf8')).not.toContain('no-op rerun');
  });

  it('does not call a rerun a no-op when its outcome differs from the kept report', async () => {
    await runLanes(['api', 'logic']);
    await integrateFeature({ workspaceRoot: repo.root, feature, now, invocation: undefined });
    const red = { ...feature, integration: { test: 'false' } };
    const rerun = await integrateFeature({ workspaceRoot: repo.root, feature: red, now, invocation: 'a later nx command' });
    expect(rerun.report.outcome).toBe('integration-test-failed');
    expect(top().runId).toBe(rerun.report.runId);
    expect(top().history!.map((r) => r.noop)).toEqual([false, false]);
  });
});
