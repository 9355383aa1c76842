import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLaneRepo, disposeLaneRepo, inlineNodeCommand, scriptedProvider, testFeature, testLane } from '../__fixtures__/lane-fixture';
import type { AgentProviderImpl, AgentRunInput } from '../agents/provider';
import type { Feature, Lane, SandboxConfig } from '../feature/feature-types';
import { fingerprintRepository } from '../git/__fixtures__/fingerprint-repository';
import { testGitEnv, type TestRepo } from '../git/create-test-repo';
import { sha256 } from '../hashing/sha256';
import { requireBwrap } from '../sandbox/__fixtures__/sandbox-fixture';
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

  /**
   * A test file the lane owns, run by verify and integrate, that plants a hook, moves main and
   * commits on its own branch, each tried on its own and said, so a refusal names every step.
   */
  const hostileTest = [
    'const { execFileSync } = require("child_process"); const fs = require("fs"); const path = require("path");',
    'const git = (...a) => execFileSync("git", a, { encoding: "utf8", stdio: "pipe" }).trim();',
    'let refused = 0;',
    'const attempt = (what, act) => {',
    '  try { act(); console.log(`${what}: done`); }',
    '  catch (e) { refused++; console.log(`${what}: refused: ${String(e.message).split("\\n").filter(Boolean).join(" | ")}`); }',
    '};',
    'attempt("plant a hook", () => fs.writeFileSync(path.join(git("rev-parse", "--git-common-dir"), "hooks", "post-checkout"), "#!/bin/sh\\nexit 0\\n", { mode: 0o755 }));',
    'attempt("move main", () => git("update-ref", "refs/heads/main", "HEAD"));',
    'attempt("commit on its branch", () => git("commit", "--allow-empty", "-q", "-m", "in the test"));',
    'process.exit(refused ? 1 : 0);',
  ].join('\n');
  const NO_SANDBOX: SandboxConfig = { mode: 'off', allowHosts: [] };
  const withoutSandbox = (l: Lane): Lane => ({ ...l, sandbox: NO_SANDBOX });
  /** A feature whose api lane runs `test` in verify, beside the web lane; `sandbox`, when given, for both lanes and the feature. */
  const testingApi = (test: string, sandbox?: SandboxConfig) => {
    const api = testLane('api', ['apps/api/**'], { test, ...(sandbox ? { sandbox } : {}) });
    return testFeature([api, sandbox ? { ...lane('web'), sandbox } : lane('web')], sandbox ? { sandbox } : {});
  };
  /** Runs the api lane of `tampering` (its agent writes `edits`), then verifies it. */
  const runAndVerifyApi = async (tampering: Feature, edits: Record<string, string>) => {
    const provider = agents(() => undefined, { 'apps/api/export.js': 'ok\n', ...edits });
    const ran = await runLane({ workspaceRoot: repo.root, feature: tampering, lane: tampering.lanes[0], providers: { command: provider, anthropic: provider } });
    expect(ran.status).toBe('done');
    return verifyLane({ workspaceRoot: repo.root, feature: tampering, lane: tampering.lanes[0] });
  };

  it("without the sandbox, fails verify when the lane's own tests change the repository, and puts it back", async () => {
    const verified = await runAndVerifyApi(testingApi('node apps/api/tamper.js', NO_SANDBOX), { 'apps/api/tamper.js': `${hostileTest}\n` });
    expect(verified.sandboxed).toBe(false);
    expect(verified.passed).toBe(false);
    expect(verified.reason).toMatch(/^lane api's tests changed the repository outside its worktree, which no lane may do\. put back: /);
    expect(verified.reason).toContain('.git/hooks/post-checkout was added: removed again');
    expect(verified.reason).toMatch(/refs\/heads\/main moved from [0-9a-f]{10} to [0-9a-f]{10}: put back at/);
    expect(verified.reason).toMatch(/its own branch agent-lanes\/f\/verify-api\/\S+ moved from [0-9a-f]{10} to [0-9a-f]{10}: put back at/);
    expect(fingerprintRepository(repo)).toBe(before);
  });

  it('without the sandbox, fails integrate when the integration test changes the repository, and never moves lanes/<feature> to what it committed', async () => {
    // The integration test runs in the feature's sandbox; the lanes' is off too, so nothing of this run is sandboxed.
    const tampering = testFeature(feature.lanes.map(withoutSandbox), { sandbox: NO_SANDBOX, integration: { test: 'node apps/api/tamper.js' } });
    await runBeside(() => undefined, { 'apps/api/tamper.js': `${hostileTest}\n` });
    for (const l of tampering.lanes) await verifyLane({ workspaceRoot: repo.root, feature: tampering, lane: l });
    const { report } = await integrateFeature({ workspaceRoot: repo.root, feature: tampering });
    expect(report.outcome).toBe('integration-test-failed');
    expect(report.integration.outputTail).toContain('plant a hook: done');
    expect(report.integration.outputTail).toContain('the integration test changed the repository outside its worktree');
    expect(report.integration.outputTail).toContain('.git/hooks/post-checkout was added: removed again');
    expect(report.branchCommit).toBeUndefined();
    expect(fingerprintRepository(repo)).toBe(before);
  });

  /**
   * The same attacks with the lanes' default sandbox (`auto`, which is bubblewrap here): the OS
   * refuses them, so the watch has nothing to put back. Fails loudly where bwrap is missing.
   */
  describe('in the sandbox', () => {
    beforeAll(() => {
      requireBwrap();
    });
    /** Each step of hostileTest, refused by the read-only mount of the user's .git. */
    const expectEveryStepRefused = (output: string) => {
      expect(output).toMatch(/^plant a hook: refused: EROFS: read-only file system, open '\S+\/\.git\/hooks\/post-checkout'/m);
      expect(output).toMatch(/^move main: refused: .*cannot lock ref 'refs\/heads\/main'.*Read-only file system/m);
      expect(output).toMatch(/^commit on its branch: refused: .*Read-only file system/m);
      expect(output).not.toContain(': done');
    };

    it("the lane's own tests cannot change the repository: verify fails on the read-only file system, and nothing moved", async () => {
      const verified = await runAndVerifyApi(testingApi('node apps/api/tamper.js'), { 'apps/api/tamper.js': `${hostileTest}\n` });
      expect(verified.sandboxed).toBe(true);
      expect(verified.passed).toBe(false);
      // Nothing reached the repository, so the reason is the tests' own failure, not the watch's.
      expect(verified.reason).toBe('tests `node apps/api/tamper.js` failed (exit 1)');
      const written = readVerifyResult(artifacts('api'))!;
      expect(written.reason).toBe(verified.reason);
      expectEveryStepRefused(written.tests!.outputTail);
      // verify.json names what the sandbox refused, from the tests' own output.
      expect(written.sandboxRefusals).toEqual(expect.arrayContaining([expect.stringMatching(/^plant a hook: refused: EROFS/), expect.stringMatching(/^move main: refused: .*Read-only file system/)]));
      expect(fingerprintRepository(repo)).toBe(before);
    });

    it('the integration test cannot change the repository: integrate fails on the read-only file system, and lanes/<feature> is not made', async () => {
      const tampering = testFeature(feature.lanes, { integration: { test: 'node apps/api/tamper.js' } });
      await runBeside(() => undefined, { 'apps/api/tamper.js': `${hostileTest}\n` });
      for (const l of tampering.lanes) await expect(verifyLane({ workspaceRoot: repo.root, feature: tampering, lane: l })).resolves.toMatchObject({ passed: true, sandboxed: true });
      const { report } = await integrateFeature({ workspaceRoot: repo.root, feature: tampering });
      expect(report.outcome).toBe('integration-test-failed');
      expectEveryStepRefused(report.integration.outputTail!);
      expect(report.integration.outputTail).not.toContain('changed the repository outside its worktree');
      expect(report.branchCommit).toBeUndefined();
      expect(fingerprintRepository(repo)).toBe(before);
    });

    it("a lane's tests write nothing outside their worktree: not the repository's node_modules, the test's scratch folder, the lane's artifacts or the user's checkout", async () => {
      repo.write('node_modules/pkg/index.js', 'module.exports = 1;\n');
      before = fingerprintRepository(repo);
      const targets = {
        "the repository's node_modules": 'node_modules/pkg/index.js',
        'a new file in node_modules': 'node_modules/planted.js',
        "the test's scratch folder": join(repo.scratch, 'escaped.txt'),
        "the lane's artifacts": artifacts('api').patch,
        "the user's checkout": join(repo.root, 'docs/guide.md'),
      };
      const escape = [
        'const fs = require("fs");',
        `for (const [what, file] of Object.entries(${JSON.stringify(targets)})) {`,
        '  try { fs.writeFileSync(file, "escaped\\n"); console.log(`${what}: wrote`); } catch (e) { console.log(`${what}: refused: ${e.message}`); }',
        '}',
      ].join('\n');
      const verified = await runAndVerifyApi(testingApi('node apps/api/escape.js'), { 'apps/api/escape.js': `${escape}\n` });
      expect(verified).toMatchObject({ sandboxed: true, passed: true, reason: undefined });
      // The repository's node_modules is mounted read-only; the rest of /tmp is the sandbox's own, emptied after it.
      expect(verified.tests!.outputTail).toMatch(/^the repository's node_modules: refused: EROFS: read-only file system/m);
      expect(verified.tests!.outputTail).toMatch(/^a new file in node_modules: refused: EROFS: read-only file system/m);
      expect(repo.read('node_modules/pkg/index.js')).toBe('module.exports = 1;\n');
      expect(existsSync(join(repo.root, 'node_modules/planted.js'))).toBe(false);
      expect(existsSync(join(repo.scratch, 'escaped.txt'))).toBe(false);
      expect(sha256(readFileSync(artifacts('api').patch, 'utf8'))).toBe(verified.patchSha256);
      expect(repo.read('docs/guide.md')).toBe('g\n');
      expect(fingerprintRepository(repo)).toBe(before);
    });

    it("a daemon a lane's tests start, by setsid or a detached node child, does not outlive the test command", async () => {
      const token = `nx-agent-lanes-daemon-${process.pid}-${Date.now()}`;
      // The scan must see a daemon that does live: one started here, outside the sandbox.
      const control = spawn('sleep', ['30'], { env: { ...process.env, DAEMON_TOKEN: token }, stdio: 'ignore' });
      try {
        await expect(waitUntil(() => processesCarrying(token).length > 0, 5000)).resolves.toBe(true);
      } finally {
        control.kill('SIGKILL');
      }
      await expect(waitUntil(() => processesCarrying(token).length === 0, 5000)).resolves.toBe(true);

      // Outside the worktree, where an unsandboxed daemon would leave them for the user.
      const bySetsid = join(repo.scratch, 'setsid-daemon-ran');
      const byNode = join(repo.scratch, 'node-daemon-ran');
      const detached = `const c = require("child_process").spawn("sh", ["-c", "sleep 30; touch '${byNode}'"], { detached: true, stdio: "ignore" }); c.unref(); console.log("node daemon " + c.pid);`;
      const test = [
        `export DAEMON_TOKEN=${token}`,
        `setsid sh -c "sleep 30; touch '${bySetsid}'" >/dev/null 2>&1 &`,
        'daemon=$!',
        inlineNodeCommand(detached),
        // The command ends with both daemons running, so only the sandbox can have stopped them.
        'kill -0 "$daemon" && echo "setsid daemon $daemon running"',
      ].join('\n');
      const verified = await runAndVerifyApi(testingApi(test), {});
      expect(verified).toMatchObject({ sandboxed: true, passed: true, reason: undefined });
      expect(verified.tests!.outputTail).toMatch(/^node daemon \d+$/m);
      expect(verified.tests!.outputTail).toMatch(/^setsid daemon \d+ running$/m);
      expect(await waitUntil(() => processesCarrying(token).length === 0, 3000)).toBe(true);
      // No process of the test is left, so neither file can be written later.
      expect(existsSync(bySetsid)).toBe(false);
      expect(existsSync(byNode)).toBe(false);
      expect(fingerprintRepository(repo)).toBe(before);
    });
  });
});

/** Pids of this machine's processes whose environment or command line holds `token`. */
function processesCarrying(token: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return ['environ', 'cmdline'].some((part) => readFileSync(`/proc/${pid}/${part}`).includes(token));
      } catch {
        return false; // gone meanwhile, or not ours to read
      }
    })
    .map(Number);
}

/** Polls `done` until it holds or `ms` pass; says whether it held. */
async function waitUntil(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}
