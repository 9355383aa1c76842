import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  createLaneRepo, disposeLaneRepo, fingerprintCheckout, scriptedProvider, testFeature, testLane,
} from '../__fixtures__/lane-fixture';
import type { Feature } from '../feature/feature-types';
import type { TestRepo } from '../git/create-test-repo';
import { sha256 } from '../hashing/sha256';
import { runLane } from '../lanes/run-lane';
import { laneArtifactsDir } from '../layout';
import { verifyLane } from '../verify/verify-lane';
import { integrateFeature } from './integrate-feature';

/** Three lanes run, verified and merged against real git; the user's checkout never moves. */
describe('integrateFeature', () => {
  let repo: TestRepo;
  let feature: Feature;
  const provider = () =>
    scriptedProvider({
      api: { edits: { 'apps/api/export.js': 'exports.contentType = "text/csv";\n' } },
      logic: { edits: { 'libs/export/csv.js': 'exports.header = "date,amount";\n' } },
      web: {
        edits: { 'apps/web/button.js': 'exports.accept = "text/csv";\nURL.revokeObjectURL(url);\n' },
        inspect: (wt) => expect(existsSync(join(wt, 'apps/api/export.js'))).toBe(true),
      },
    });

  async function runAll(f: Feature, p = provider()) {
    for (const lane of f.lanes) {
      const r = await runLane({ workspaceRoot: repo.root, feature: f, lane, providers: { command: p, anthropic: p } });
      expect(r.status).toBe('done');
    }
    for (const lane of f.lanes) await verifyLane({ workspaceRoot: repo.root, feature: f, lane });
  }

  beforeEach(() => {
    feature = testFeature(
      [
        testLane('api', ['apps/api/**'], { test: 'node -e "require(\'./apps/api/export.js\')"' }),
        testLane('logic', ['libs/export/**']),
        testLane('web', ['apps/web/**'], { after: ['api'] }),
      ],
      {
        integration: { test: 'node -e "const a=require(\'./apps/api/export.js\'),w=require(\'./apps/web/button.js\');process.exit(a.contentType===w.accept?0:1)"' },
        review: { risky: ['apps/web/**'] },
      },
    );
    repo = createLaneRepo(feature, { 'apps/api/index.js': 'exports.api = 1;\n', 'apps/web/button.js': 'exports.accept = "";\nvar url;\n' });
    // A user mid-work: an uncommitted edit and an untracked file must survive untouched.
    repo.write('README.md', '# app (editing)\n');
    repo.write('notes.txt', 'mine\n');
  });

  afterEach(() => disposeLaneRepo(repo));

  it('merges three lanes as three commits on lanes/<feature> and leaves the checkout alone', async () => {
    const before = fingerprintCheckout(repo);
    await runAll(feature);
    const { report, files } = await integrateFeature({ workspaceRoot: repo.root, feature });
    expect(report.outcome).toBe('green');
    const log = repo.git(['log', '--format=%s', 'main..lanes/f']).trim().split('\n');
    expect(log).toEqual(['f: web lane', 'f: logic lane', 'f: api lane']);
    expect(repo.git(['show', 'lanes/f:apps/web/button.js'])).toContain('revokeObjectURL');
    expect(fingerprintCheckout(repo)).toBe(before);
    expect(repo.git(['worktree', 'list']).trim().split('\n')).toHaveLength(1);
    expect(repo.git(['branch', '--list', 'agent-lanes/*']).trim()).toBe('');
    // Triage: only the web lane (review.risky) is shown in full.
    const md = readFileSync(files.markdown, 'utf8');
    expect(md).toContain('URL.revokeObjectURL(url);');
    expect(md).not.toContain('exports.header = "date,amount"');
    expect(existsSync(files.html)).toBe(true);
  });

  it('tells lanes that ran in this nx command from lanes restored from cache', async () => {
    await runAll(feature);
    // As a cache hit leaves it: result.json restored, the marker of an earlier command.
    writeFileSync(join(repo.root, laneArtifactsDir('f', 'logic'), '.ran-in'), 'an-earlier-nx-command');
    const { report } = await integrateFeature({ workspaceRoot: repo.root, feature });
    expect(report.lanes.map((l) => [l.name, Boolean(l.fromCache)])).toEqual([['api', false], ['logic', true], ['web', false]]);
    const ranNow = report.lanes.filter((l) => !l.fromCache);
    expect(report.laneTimeSumMs).toBe(ranNow.reduce((sum, l) => sum + l.durationMs, 0));
    const { report: later } = await integrateFeature({ workspaceRoot: repo.root, feature, invocation: 'a-later-nx-command' });
    expect(later.lanes.every((l) => l.fromCache)).toBe(true);
    expect(later.laneTimeSumMs).toBe(0);
  });

  it('keeps lanes/<feature> where it was and names the lanes when the integration test is red', async () => {
    const p = scriptedProvider({
      api: { edits: { 'apps/api/export.js': 'exports.contentType = "text/csv";\n' } },
      logic: { edits: { 'libs/export/csv.js': 'x\n' } },
      web: { edits: { 'apps/web/button.js': 'exports.accept = "application/octet-stream";\n' } },
    });
    repo.git(['branch', 'lanes/f', 'main']);
    const branchBefore = repo.git(['rev-parse', 'lanes/f']);
    await runAll(feature, p);
    const { report, files } = await integrateFeature({ workspaceRoot: repo.root, feature });
    expect(report.outcome).toBe('integration-test-failed');
    expect(repo.git(['rev-parse', 'lanes/f'])).toBe(branchBefore);
    const md = readFileSync(files.markdown, 'utf8');
    for (const lane of ['api', 'logic', 'web']) expect(md).toContain(lane);
    expect(report.nextSteps.join('\n')).toMatch(/nx g nx-agent-lanes:feedback f --lane/);
  });

  it('reports a conflict naming both lanes and the file, and keeps the branch', async () => {
    // Two lanes whose verified patches touch the same line: only artifacts can say so.
    const f = testFeature([testLane('one', ['shared.txt']), testLane('two', ['other.txt'])]);
    disposeLaneRepo(repo);
    repo = createLaneRepo(f, { 'shared.txt': 'base\n' });
    const patch = (content: string) =>
      `diff --git a/shared.txt b/shared.txt\n--- a/shared.txt\n+++ b/shared.txt\n@@ -1 +1 @@\n-base\n+${content}\n`;
    for (const [lane, content] of [['one', 'one'], ['two', 'two']]) {
      const dir = join(repo.root, laneArtifactsDir('f', lane));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'lane.patch'), patch(content));
      writeFileSync(join(dir, 'result.json'), JSON.stringify({ status: 'done', filesChanged: [], tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, turns: 0, costUsd: 0, durationMs: 1, startedAt: new Date().toISOString(), endedAt: new Date().toISOString() }));
      writeFileSync(join(dir, 'verify.json'), JSON.stringify({ passed: true, patchSha256: sha256(patch(content)), ownership: { ok: true, violations: [] }, risk: { class: 'trusted', riskyFiles: [] } }));
    }
    const { report, files } = await integrateFeature({ workspaceRoot: repo.root, feature: f });
    expect(report.outcome).toBe('conflict');
    expect(report.integration.conflict).toEqual({ lane: 'two', files: ['shared.txt'], touchedBy: { 'shared.txt': ['one'] } });
    expect(repo.git(['branch', '--list', 'lanes/f']).trim()).toBe('');
    const md = readFileSync(files.markdown, 'utf8');
    expect(md).toMatch(/shared\.txt/);
    expect(md).toMatch(/one/);
    expect(repo.git(['worktree', 'list']).trim().split('\n')).toHaveLength(1);
  });

  it('refuses to merge when a lane is blocked, naming it', async () => {
    const p = scriptedProvider({
      api: { edits: { 'apps/api/export.js': 'x\n' } },
      logic: { result: { status: 'blocked', question: 'UTC or local?' } },
      web: { edits: { 'apps/web/button.js': 'y\n' } },
    });
    for (const lane of feature.lanes) await runLane({ workspaceRoot: repo.root, feature, lane, providers: { command: p, anthropic: p } });
    const { report } = await integrateFeature({ workspaceRoot: repo.root, feature });
    expect(report.outcome).toBe('lanes-not-ready');
    expect(report.notReady).toEqual(expect.arrayContaining([{ lane: 'logic', why: 'the lane is blocked: UTC or local?' }]));
    expect(report.nextSteps.join('\n')).toContain('nx g nx-agent-lanes:answer f --lane logic');
  });
});
