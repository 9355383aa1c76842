import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLaneRepo, disposeLaneRepo, scriptedProvider, testFeature, testLane } from '../__fixtures__/lane-fixture';
import type { AgentProviderImpl, AgentRunInput } from '../agents/provider';
import { fingerprintRepository } from '../git/__fixtures__/fingerprint-repository';
import { testGitEnv, type TestRepo } from '../git/create-test-repo';
import { sha256 } from '../hashing/sha256';
import { runLane } from '../lanes/run-lane';
import { laneArtifactFiles, readVerifyResult, writeVerifyResult } from '../layout';
import { verifyLane } from '../verify/verify-lane';
import { integrateFeature } from './integrate-feature';

/**
 * The attacks of issue 11 on the plugin's git: an agent (or the tests it writes) reaching the
 * user's .git through its worktree, moving refs, chaining symlinks, and artifacts rewritten
 * between tasks. Each is refused or caught and named; the user's repository ends as it began;
 * the cooperating lane beside it is unharmed.
 */
describe('hostile lanes', () => {
  let repo: TestRepo;
  const feature = testFeature(
    [testLane('api', ['apps/api/**'], { forbids: ['apps/api/secrets.js'] }), testLane('web', ['apps/web/**'], { test: 'node apps/web/check.js' })],
    { integration: { test: 'node apps/web/check.js' } },
  );
  const files = {
    'apps/api/index.js': 'exports.api = 1;\n',
    'apps/api/secrets.js': 'k\n',
    'apps/web/check.js': 'process.exit(require("fs").existsSync("apps/web/page.js") ? 0 : 3);\n',
    'docs/guide.md': 'g\n',
  };
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: testGitEnv(), encoding: 'utf8' }).trim();
  type Act = (worktree: string) => void | Promise<void>;
  /** The api lane's agent does `api` in its worktree; the web lane's agent cooperates (`web` only waits, when given). */
  const agents = (api: Act, apiEdits: Record<string, string> = { 'apps/api/export.js': 'ok\n' }, web?: Act): AgentProviderImpl => {
    const scripted = scriptedProvider({ api: { edits: apiEdits }, web: { edits: { 'apps/web/page.js': 'page\n' } } });
    return {
      ...scripted,
      async run(input: AgentRunInput) {
        await (input.lane === 'api' ? api : web)?.(input.worktree);
        return scripted.run(input);
      },
    };
  };
  const deferred = () => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  };
  /** Plants hooks and config through the worktree's git directory, as an agent can without the sandbox. */
  const plantThroughGitDir = (worktree: string, marker: string) => {
    const common = resolve(worktree, git(worktree, 'rev-parse', '--git-common-dir'));
    const planted = join(repo.scratch, 'planted.sh');
    writeFileSync(planted, `#!/bin/sh\necho ran >> '${marker}'\nexit 1\n`, { mode: 0o755 });
    writeFileSync(join(common, 'hooks', 'pre-commit'), `#!/bin/sh\n'${planted}'\n`, { mode: 0o755 });
    git(worktree, 'config', 'core.fsmonitor', planted);
    git(worktree, 'config', 'core.hooksPath', join(repo.scratch, 'hooks'));
    git(worktree, 'config', 'alias.st', `!${planted}`);
  };
  const lane = (name: string) => feature.lanes.find((l) => l.name === name)!;
  const runOne = (name: string, provider: AgentProviderImpl) =>
    runLane({ workspaceRoot: repo.root, feature, lane: lane(name), providers: { command: provider, anthropic: provider } });
  /**
   * Both lanes at once; the api agent acts once the web lane is done. Without the sandbox a
   * change to the shared .git made while two agents run fails both, since nothing tells which did it.
   */
  const runBeside = (act: Act, apiEdits?: Record<string, string>) => {
    const webDone = deferred();
    const provider = agents(async (worktree) => {
      await webDone.promise;
      await act(worktree);
    }, apiEdits);
    return Promise.all([runOne('api', provider), runOne('web', provider).finally(webDone.resolve)]);
  };
  const verify = (name: string) => verifyLane({ workspaceRoot: repo.root, feature, lane: lane(name) });
  const artifacts = (name: string) => laneArtifactFiles(repo.root, feature.name, name);
  /** What a daemon left by an agent could do between verify and integrate. */
  const forgeVerified = (name: string, patch = readFileSync(artifacts(name).patch, 'utf8')) => {
    writeFileSync(artifacts(name).patch, patch);
    const verified = readVerifyResult(artifacts(name))!;
    writeVerifyResult(artifacts(name), {
      ...verified,
      passed: true,
      reason: undefined,
      patchSha256: sha256(patch),
      ownership: { ok: true, violations: [] },
      risk: { class: 'trusted', riskyFiles: [] },
    });
  };

  let before: string;
  beforeEach(() => {
    repo = createLaneRepo(feature, files);
    before = fingerprintRepository(repo);
  });
  afterEach(() => disposeLaneRepo(repo));

  async function expectCooperatingLaneUnharmed(results: Array<{ status: string; reason?: string }>) {
    expect(results[1]).toMatchObject({ status: 'done', reason: undefined });
    await expect(verify('web')).resolves.toMatchObject({ passed: true });
  }

  it("fails an agent that writes hooks, core.fsmonitor, core.hooksPath and an alias through its worktree's git directory, and puts them back", async () => {
    const marker = join(repo.scratch, 'planted-ran.log');
    const results = await runBeside((worktree) => plantThroughGitDir(worktree, marker));
    expect(results[0].status).toBe('failed');
    expect(results[0].reason).toContain("the lane's agent changed the repository outside its worktree, which no lane may do");
    expect(results[0].reason).toContain('.git/config changed (set core.fsmonitor, core.hookspath, alias.st): put back as it was');
    expect(results[0].reason).toContain('.git/hooks/pre-commit was added: removed again');
    expect(existsSync(marker)).toBe(false);
    await expectCooperatingLaneUnharmed(results);
    expect(fingerprintRepository(repo)).toBe(before);
  });

  it('leaves unharmed a lane whose snapshot was taken after the plant, and does not put the plant back through it', async () => {
    const marker = join(repo.scratch, 'planted-ran.log');
    const planted = deferred();
    const webStarted = deferred();
    const apiDone = deferred();
    const provider = agents(
      async (worktree) => {
        plantThroughGitDir(worktree, marker);
        planted.resolve();
        await webStarted.promise;
      },
      undefined,
      async () => {
        webStarted.resolve();
        await apiDone.promise;
      },
    );
    const api = runOne('api', provider).finally(apiDone.resolve);
    await planted.promise;
    const results = await Promise.all([api, runOne('web', provider)]);
    expect(results[0].status).toBe('failed');
    expect(results[0].reason).toContain('.git/hooks/pre-commit was added: removed again');
    await expectCooperatingLaneUnharmed(results);
    expect(existsSync(marker)).toBe(false);
    expect(fingerprintRepository(repo)).toBe(before);
  });

  it('fails an agent that points its HEAD at main and commits, and puts main back', async () => {
    const main = git(repo.root, 'rev-parse', 'main');
    const results = await runBeside((worktree) => {
        git(worktree, 'symbolic-ref', 'HEAD', 'refs/heads/main');
        writeFileSync(join(worktree, 'apps/api/index.js'), 'exports.api = 2;\n');
        git(worktree, 'commit', '-q', '-am', 'on main');
    });
    expect(results[0].status).toBe('failed');
    expect(results[0].reason).toMatch(/the worktree left its branch agent-lanes\/f\/api\/\S+: its HEAD is now "ref: refs\/heads\/main": put back on its branch/);
    expect(results[0].reason).toMatch(new RegExp(`refs/heads/main moved from ${main.slice(0, 10)} to [0-9a-f]{10}: put back at ${main.slice(0, 10)}`));
    expect(git(repo.root, 'rev-parse', 'main')).toBe(main);
    await expectCooperatingLaneUnharmed(results);
    expect(fingerprintRepository(repo)).toBe(before);
  });

  it('fails an agent that plants a commit on lanes/<feature>, and puts the branch back', async () => {
    git(repo.root, 'branch', 'lanes/f');
    before = fingerprintRepository(repo);
    const results = await runBeside((worktree) => {
        const tree = git(worktree, 'write-tree');
        const planted = git(worktree, 'commit-tree', tree, '-p', 'HEAD', '-m', 'planted');
        git(worktree, 'update-ref', '-m', 'nx-agent-lanes: update lanes/f', 'refs/heads/lanes/f', planted);
    });
    expect(results[0].status).toBe('failed');
    expect(results[0].reason).toMatch(/refs\/heads\/lanes\/f moved from [0-9a-f]{10} to [0-9a-f]{10}: put back at/);
    await expectCooperatingLaneUnharmed(results);
    expect(fingerprintRepository(repo)).toBe(before);
  });

  it('refuses chained symlinks in verify and in integrate, whatever verify.json says', async () => {
    const results = await runBeside((worktree) => {
        mkdirSync(join(worktree, 'apps/api/d'), { recursive: true });
        symlinkSync('../..', join(worktree, 'apps/api/d/up'));
        symlinkSync('up/../../../etc/passwd', join(worktree, 'apps/api/d/esc'));
        symlinkSync('up/../.git/hooks', join(worktree, 'apps/api/d/hooks'));
    });
    expect(results[0].status).toBe('done');
    const verified = await verify('api');
    expect(verified.passed).toBe(false);
    expect(verified.reason).toMatch(/^lane api adds symlinks that lead outside the workspace or into \.git or node_modules: /);
    expect(verified.reason).toContain('apps/api/d/esc -> up/../../../etc/passwd (leads to ');
    expect(verified.reason).toContain('apps/api/d/hooks -> up/../.git/hooks (leads into .git/hooks)');
    await expectCooperatingLaneUnharmed(results);

    forgeVerified('api');
    const { report } = await integrateFeature({ workspaceRoot: repo.root, feature });
    expect(report.outcome).toBe('lanes-not-ready');
    expect(report.notReady).toEqual([
      { lane: 'api', why: expect.stringMatching(/^integrate refused its patch, whatever verify\.json says: lane api adds symlinks .*apps\/api\/d\/hooks/) },
    ]);
    expect(report.nextSteps.join('\n')).toContain('Lane api is not ready: integrate refused its patch');
    expect(fingerprintRepository(repo)).toBe(before);
  });

  it('refuses a plain unified diff section appended to lane.patch after verify, in integrate and in verify', async () => {
    const results = await runBeside(() => undefined);
    await expect(verify('api')).resolves.toMatchObject({ passed: true });
    await expectCooperatingLaneUnharmed(results);
    const hidden = '--- a/docs/guide.md\n+++ b/docs/guide.md\n@@ -1 +1 @@\n-g\n+pwned\n';
    forgeVerified('api', readFileSync(artifacts('api').patch, 'utf8') + hidden);

    const { report } = await integrateFeature({ workspaceRoot: repo.root, feature });
    expect(report.outcome).toBe('lanes-not-ready');
    expect(report.notReady?.[0].why).toBe(
      "integrate refused its patch, whatever verify.json says: lane api's patch has sections git would apply that nx-agent-lanes cannot attribute: " +
        'git would change docs/guide.md in a section that has no `diff --git` header of its own',
    );
    expect(fingerprintRepository(repo)).toBe(before);

    const reverified = await verify('api');
    expect(reverified.passed).toBe(false);
    expect(reverified.reason).toContain('git would change docs/guide.md in a section that has no `diff --git` header of its own');
  });

  it("refuses a forged verify.json: integrate judges the patch's files itself", async () => {
    const results = await runBeside(() => undefined, { 'apps/api/export.js': 'ok\n', 'apps/api/secrets.js': 'leak\n', 'docs/guide.md': 'mine\n' });
    await expect(verify('api')).resolves.toMatchObject({ passed: false });
    await expectCooperatingLaneUnharmed(results);
    forgeVerified('api');

    const { report } = await integrateFeature({ workspaceRoot: repo.root, feature });
    expect(report.outcome).toBe('lanes-not-ready');
    expect(report.notReady?.[0].why).toBe(
      'integrate refused its patch, whatever verify.json says: lane api changed files it does not own: apps/api/secrets.js, docs/guide.md',
    );
    const api = report.lanes.find((l) => l.name === 'api')!;
    expect(api.ownership.ok).toBe(false);
    expect(api.ownership.violations.map((v) => v.path)).toEqual(['apps/api/secrets.js', 'docs/guide.md']);
    expect(report.nextSteps.join('\n')).toContain('Lane api changed files it does not own: apps/api/secrets.js, docs/guide.md');
    expect(fingerprintRepository(repo)).toBe(before);
  });

  /** A test file the lane owns, run by verify and integrate, that plants a hook and moves main. */
  const hostileTest = [
    'const { execFileSync } = require("child_process"); const fs = require("fs"); const path = require("path");',
    'const git = (...a) => execFileSync("git", a, { encoding: "utf8" }).trim();',
    'fs.writeFileSync(path.join(git("rev-parse", "--git-common-dir"), "hooks", "post-checkout"), "#!/bin/sh\\nexit 0\\n", { mode: 0o755 });',
    'git("update-ref", "refs/heads/main", "HEAD");',
    'git("commit", "--allow-empty", "-q", "-m", "in the test");',
  ].join('\n');

  it("fails verify when the lane's own tests change the repository, and puts it back", async () => {
    const tampering = testFeature([testLane('api', ['apps/api/**'], { test: 'node apps/api/tamper.js' }), lane('web')]);
    const provider = agents(() => undefined, { 'apps/api/tamper.js': `${hostileTest}\n` });
    await runLane({ workspaceRoot: repo.root, feature: tampering, lane: tampering.lanes[0], providers: { command: provider, anthropic: provider } });
    const verified = await verifyLane({ workspaceRoot: repo.root, feature: tampering, lane: tampering.lanes[0] });
    expect(verified.passed).toBe(false);
    expect(verified.reason).toMatch(/^lane api's tests changed the repository outside its worktree, which no lane may do\. put back: /);
    expect(verified.reason).toContain('.git/hooks/post-checkout was added: removed again');
    expect(verified.reason).toMatch(/refs\/heads\/main moved from [0-9a-f]{10} to [0-9a-f]{10}: put back at/);
    expect(verified.reason).toMatch(/its own branch agent-lanes\/f\/verify-api\/\S+ moved from [0-9a-f]{10} to [0-9a-f]{10}: put back at/);
    expect(fingerprintRepository(repo)).toBe(before);
  });

  it('fails integrate when the integration test changes the repository, and never moves lanes/<feature> to what it committed', async () => {
    const tampering = testFeature(feature.lanes, { integration: { test: 'node apps/api/tamper.js' } });
    await runBeside(() => undefined, { 'apps/api/tamper.js': `${hostileTest}\n` });
    for (const l of tampering.lanes) await verifyLane({ workspaceRoot: repo.root, feature: tampering, lane: l });
    const { report } = await integrateFeature({ workspaceRoot: repo.root, feature: tampering });
    expect(report.outcome).toBe('integration-test-failed');
    expect(report.integration.outputTail).toContain('the integration test changed the repository outside its worktree');
    expect(report.integration.outputTail).toContain('.git/hooks/post-checkout was added: removed again');
    expect(report.branchCommit).toBeUndefined();
    expect(fingerprintRepository(repo)).toBe(before);
  });
});
