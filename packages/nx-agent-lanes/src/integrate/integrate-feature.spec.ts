import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  createLaneRepo, disposeLaneRepo, fingerprintCheckout, scriptedProvider, testFeature, testLane,
} from '../__fixtures__/lane-fixture';
import type { Feature } from '../feature/feature-types';
import { testGitEnv, type TestRepo } from '../git/create-test-repo';
import { listLaneWorktrees } from '../git/lane-worktree';
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
    await expect(listLaneWorktrees(repo.root)).resolves.toEqual([]);
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
    await expect(listLaneWorktrees(repo.root)).resolves.toEqual([]);
  });

  describe('the lanes branch over reruns', () => {
    const f = testFeature([testLane('api', ['api.txt']), testLane('web', ['web.txt'])]);
    const patch = (file: string, content: string) =>
      `diff --git a/${file} b/${file}\n--- a/${file}\n+++ b/${file}\n@@ -1 +1 @@\n-base\n+${content}\n`;
    /** What a green lane leaves in its declared outputs, written directly so a rerun is exactly a rerun. */
    const writeLane = (lane: string, file: string, content: string, agent: { provider: string; model?: string }) => {
      const dir = join(repo.root, laneArtifactsDir('f', lane));
      mkdirSync(dir, { recursive: true });
      const text = patch(file, content);
      const at = new Date().toISOString();
      writeFileSync(join(dir, 'lane.patch'), text);
      writeFileSync(join(dir, 'result.json'), JSON.stringify({ status: 'done', summary: `${lane} done.`, ...agent, filesChanged: [], tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, turns: 1, costUsd: 0, durationMs: 1, startedAt: at, endedAt: at }));
      writeFileSync(join(dir, 'verify.json'), JSON.stringify({ passed: true, patchSha256: sha256(text), ownership: { ok: true, violations: [] }, risk: { class: 'trusted', riskyFiles: [] } }));
    };
    // Without the GIT_* variables of whoever runs the suite: the repository's user.name and user.email count.
    const env = testGitEnv();

    beforeEach(() => {
      disposeLaneRepo(repo);
      repo = createLaneRepo(f, { 'api.txt': 'base\n', 'web.txt': 'base\n' });
      writeLane('api', 'api.txt', 'api', { provider: 'claude-code', model: 'claude-sonnet-5-5' });
      writeLane('web', 'web.txt', 'web', { provider: 'command' });
    });

    it("stays at the same commit when nothing changed, and its commits are the user's with lane trailers", async () => {
      const first = await integrateFeature({ workspaceRoot: repo.root, feature: f, env });
      expect(first.report.outcome).toBe('green');
      const tip = repo.git(['rev-parse', 'lanes/f']).trim();
      expect(first.report.branchCommit).toBe(tip);
      expect(repo.git(['log', '--format=%an <%ae>|%cn <%ce>', 'main..lanes/f']).trim().split('\n')).toEqual([
        'Test User <test@example.com>|Test User <test@example.com>',
        'Test User <test@example.com>|Test User <test@example.com>',
      ]);
      expect(repo.git(['log', '--format=%(trailers)%x00', 'main..lanes/f']).split('\0').map((t) => t.trim()).filter(Boolean)).toEqual([
        'Lane: web\nAgent-Provider: command',
        'Lane: api\nAgent-Provider: claude-code\nAgent-Model: claude-sonnet-5-5',
      ]);
      // A second later, so a rewrite could not produce the same commits by chance.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const again = await integrateFeature({ workspaceRoot: repo.root, feature: f, env });
      expect(again.report.outcome).toBe('green');
      expect(repo.git(['rev-parse', 'lanes/f']).trim()).toBe(tip);
      expect(again.report.branchCommit).toBe(tip);
      expect(again.report.lanes.map((l) => l.commit)).toEqual(first.report.lanes.map((l) => l.commit));
      expect(again.report.lanes.map((l) => l.commit)).toEqual(repo.git(['rev-list', '--reverse', 'main..lanes/f']).trim().split('\n'));
    });

    it('rebuilds the branch when a lane changed, by the identity in GIT_AUTHOR_*', async () => {
      await integrateFeature({ workspaceRoot: repo.root, feature: f, env });
      const before = repo.git(['rev-parse', 'lanes/f']).trim();
      writeLane('web', 'web.txt', 'web, second try', { provider: 'command' });
      const ada = { ...env, GIT_AUTHOR_NAME: 'Ada Lovelace', GIT_AUTHOR_EMAIL: 'ada@example.com' };
      const { report } = await integrateFeature({ workspaceRoot: repo.root, feature: f, env: ada });
      expect(report.outcome).toBe('green');
      const after = repo.git(['rev-parse', 'lanes/f']).trim();
      expect(after).not.toBe(before);
      expect(repo.git(['show', 'lanes/f:web.txt'])).toBe('web, second try\n');
      expect(repo.git(['log', '--format=%an <%ae>|%cn', 'main..lanes/f']).trim().split('\n')).toEqual([
        'Ada Lovelace <ada@example.com>|Test User',
        'Ada Lovelace <ada@example.com>|Test User',
      ]);
    });
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
