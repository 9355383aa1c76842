import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createLaneRepo, disposeLaneRepo, scriptedProvider, testFeature, testLane, type FileEdits } from '../__fixtures__/lane-fixture';
import type { TestRepo } from '../git/create-test-repo';
import { runLane } from '../lanes/run-lane';
import { verifyLane } from './verify-lane';

/** Verification judges the patch itself, whatever the agent claims. */
describe('verifyLane', () => {
  let repo: TestRepo;
  const feature = testFeature(
    [
      testLane('api', ['apps/api/**'], { forbids: ['apps/api/secrets.js'], test: 'node apps/api/check.js' }),
      testLane('web', ['apps/web/**']),
    ],
    { review: { risky: ['apps/api/routes/**'] } },
  );
  const files = {
    'apps/api/check.js': 'process.exit(require("fs").existsSync("apps/api/routes/export.js") ? 0 : 3);\n',
    'apps/api/secrets.js': 'k\n',
    'apps/web/index.js': 'w\n',
    'docs/guide.md': 'g\n',
  };

  beforeEach(() => {
    repo = createLaneRepo(feature, files);
  });
  afterEach(() => disposeLaneRepo(repo));

  async function runAndVerify(edits: FileEdits) {
    const provider = scriptedProvider({ api: { edits } });
    await runLane({ workspaceRoot: repo.root, feature, lane: feature.lanes[0], providers: { command: provider, anthropic: provider } });
    return verifyLane({ workspaceRoot: repo.root, feature, lane: feature.lanes[0] });
  }

  it('passes a change inside the lane with green tests, and classes risky files', async () => {
    const v = await runAndVerify({ 'apps/api/routes/export.js': 'ok\n' });
    expect(v).toMatchObject({ passed: true, ownership: { ok: true }, risk: { class: 'risky', riskyFiles: ['apps/api/routes/export.js'] } });
    expect(v.tests).toMatchObject({ passed: true, exitCode: 0 });
  });

  it('fails red tests with their exit code and output tail', async () => {
    const v = await runAndVerify({ 'apps/api/other.js': 'ok\n' });
    expect(v.passed).toBe(false);
    expect(v.reason).toBe('tests `node apps/api/check.js` failed (exit 3)');
  });

  it.each<[string, FileEdits, string, string]>([
    ['an added file outside the lane', { 'apps/api/routes/export.js': 'ok\n', 'docs/new.md': 'x\n' }, 'docs/new.md', 'not-owned'],
    ['a deleted file outside the lane', { 'apps/api/routes/export.js': 'ok\n', 'docs/guide.md': null }, 'docs/guide.md', 'not-owned'],
    ['a rename out of the lane', { 'apps/api/check.js': { renameTo: 'tools/check.js' } }, 'tools/check.js', 'not-owned'],
    ['a forbidden file', { 'apps/api/secrets.js': 'leak\n' }, 'apps/api/secrets.js', 'forbidden'],
    ["another lane's file", { 'apps/web/index.js': 'mine now\n' }, 'apps/web/index.js', 'owned-by-other-lane'],
  ])('fails %s, naming the path', async (_what, edits, path, reason) => {
    const v = await runAndVerify(edits);
    expect(v.passed).toBe(false);
    expect(v.ownership.violations).toEqual(expect.arrayContaining([expect.objectContaining({ path, reason })]));
    expect(v.reason).toContain(path);
    expect(v.tests).toBeUndefined();
  });

  it('fails a test command that does not exist with exit 127, the shell\'s line, and what to fix', async () => {
    const missing = testFeature([testLane('api', ['apps/api/**'], { test: 'no-such-test-runner apps/api' })]);
    const provider = scriptedProvider({ api: { edits: { 'apps/api/routes/export.js': 'ok\n' } } });
    await runLane({ workspaceRoot: repo.root, feature: missing, lane: missing.lanes[0], providers: { command: provider, anthropic: provider } });
    const v = await verifyLane({ workspaceRoot: repo.root, feature: missing, lane: missing.lanes[0] });
    expect(v).toMatchObject({ passed: false, tests: { exitCode: 127 } });
    expect(v.reason).toMatch(/^tests `no-such-test-runner apps\/api` failed \(exit 127\): the shell could not find the command \(.*no-such-test-runner: .*not found\)\. Fix "test" in feature\.jsonc/);
  });

  it('fails symlinks that point outside the repository, even inside owned files', async () => {
    const provider = scriptedProvider({ api: {} });
    const linking = {
      ...provider,
      async run(input: Parameters<typeof provider.run>[0]) {
        mkdirSync(join(input.worktree, 'apps/api/routes'), { recursive: true });
        symlinkSync('/etc/passwd', join(input.worktree, 'apps/api/routes/passwd'));
        symlinkSync('../../../.git/hooks', join(input.worktree, 'apps/api/routes/hooks'));
        symlinkSync('../check.js', join(input.worktree, 'apps/api/routes/check.js'));
        return provider.run(input);
      },
    };
    await runLane({ workspaceRoot: repo.root, feature, lane: feature.lanes[0], providers: { command: linking, anthropic: linking } });
    const v = await verifyLane({ workspaceRoot: repo.root, feature, lane: feature.lanes[0] });
    expect(v.passed).toBe(false);
    expect(v.reason).toBe(
      'lane api adds symlinks that lead outside the workspace or into .git or node_modules: ' +
        'apps/api/routes/hooks -> ../../../.git/hooks (leads into .git/hooks), apps/api/routes/passwd -> /etc/passwd (leads to /etc/passwd, outside the workspace)',
    );
    expect(v.tests).toBeUndefined();
  });

  it('fails a blocked lane with its question', async () => {
    const provider = scriptedProvider({ api: { result: { status: 'blocked', question: 'UTC or local?' } } });
    await runLane({ workspaceRoot: repo.root, feature, lane: feature.lanes[0], providers: { command: provider, anthropic: provider } });
    const v = await verifyLane({ workspaceRoot: repo.root, feature, lane: feature.lanes[0] });
    expect(v).toMatchObject({ passed: false, laneStatus: 'blocked', question: 'UTC or local?' });
    expect(v.reason).toBe('lane api is blocked on a question: UTC or local?');
  });
});
