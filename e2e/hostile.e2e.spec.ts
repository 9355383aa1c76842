import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fingerprintNodeModules, fingerprintRepository, fingerprintTree, findRunProcesses, listObjects, listTree } from './fixtures/hostile/fingerprint-host';
import { hostAddresses, startDecoy, startRecordingUpstream, type Decoy, type RecordingUpstream } from './fixtures/hostile/test-servers';
import { fingerprintCheckout } from './utils/checkout-fingerprint';
import { runNxAsync } from './utils/run-nx-async';
import { addProject, BUILT_PACKAGE, createScratchWorkspace, type ScratchWorkspace } from './utils/scratch-workspace';
import { describePooledChanges, listPooledWorktrees } from './utils/pooled-worktrees';

/**
 * The hostile catalogue through the real nx CLI, in the OS sandbox. One feature, one
 * `nx run hx:integrate`, three lanes:
 * - `hostile`, a `command` agent (fixtures/hostile/hostile-agent.js, committed as
 *   tools/hostile-agent.js) that attacks the user's .git, refs and HEAD, node_modules, the checkout,
 *   the host's home and /tmp, starts processes meant to outlive it, reaches for the network and the
 *   real key, floods 100 MiB of output, then makes its owned edit and exits 0;
 * - `probe`, an `anthropic` lane driven by the loopback Messages API server, whose model tries the
 *   write tools on .git, node_modules, another lane and `..`, then writes a hostile test file
 *   (fixtures/hostile/probe.test.js) that runs in run_tests, in verify and in the integration test;
 * - `coop`, a lane that just does its job.
 * Every attack must be refused (by the sandbox, or by the plugin and named where it caught it),
 * and the user's repository, checkout, installed packages and home must come out unchanged, with
 * no process of the run left and the real key in nothing the run wrote.
 *
 * The workspace is moved out of /tmp (to /var/tmp), where a checkout in /srv or /work would be:
 * inside the sandbox /tmp is a private tmpfs, which would hide the checkout instead of showing it
 * read-only, and the write attacks would miss it (ENOENT) rather than be refused.
 * Process checks read /proc (Linux).
 */
describe('hostile lanes under the real nx CLI, in the OS sandbox', () => {
  const key = `fake-key-marker-${randomBytes(12).toString('hex')}`;
  const marker = `hostile-marker-${randomBytes(6).toString('hex')}`;
  const PLACEHOLDER = 'nx-agent-lanes-proxy-placeholder';
  const FLOOD_MB = 100;
  const OUTPUT_CAP = 1024 * 1024;

  let ws: ScratchWorkspace;
  let scratch: string;
  let worktreesRoot: string;
  const pooledWorktrees = () => listPooledWorktrees(ws);
  let hostHome: string;
  let nxTmp: string;
  let decoy: Decoy;
  let upstream: RecordingUpstream;
  let replay: { url: string; port: number; stats(): { bySession: Record<string, number>; unmatched: number }; close(): Promise<void> };
  let run: { status: number | null; output: string; durationMs: number };
  let exitedAt: number;
  /** Processes of the run found in /proc right after nx exited. */
  let leftAtExit: string[];
  const before: { repo?: Record<string, string>; checkout?: string; nodeModules?: Record<string, string>; home?: Record<string, string>; objects?: string[] } = {};
  const timings: Record<string, number> = {};

  const laneDir = (lane: string) => join(ws.root, 'dist/agent-lanes/hx', lane);
  const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
  const laneResult = (lane: string) => readJson(join(laneDir(lane), 'result.json'));
  const verifyResult = (lane: string) => readJson(join(laneDir(lane), 'verify.json'));
  const integration = () => readJson(join(ws.root, 'dist/agent-lanes/hx/integration/result.json'));
  const transcript = (lane: string) =>
    readFileSync(join(laneDir(lane), 'transcript.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const featureBranchFile = (path: string) => ws.git(['show', `lanes/hx:${path}`]);

  beforeAll(async () => {
    const started = Date.now();
    scratch = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-e2e-hostile-'));
    worktreesRoot = join(scratch, 'worktrees');
    hostHome = join(scratch, 'host-home');
    nxTmp = join(scratch, 'nx-tmp');
    for (const dir of [worktreesRoot, hostHome, nxTmp, join(hostHome, '.ssh')]) mkdirSync(dir, { recursive: true });
    writeFileSync(join(hostHome, '.bashrc'), '# the host user\'s shell start-up\n');
    writeFileSync(join(hostHome, '.ssh', 'config'), 'Host *\n  ForwardAgent no\n');

    ws = moveWorkspace(createScratchWorkspace('hostile'), '/var/tmp');
    timings.workspaceMs = Date.now() - started;
    addProject(ws, 'apps/coop', { 'src/index.js': "exports.coop = 'base';\n" });
    ws.write('tools/hostile-agent.js', readFileSync(join(__dirname, 'fixtures/hostile/hostile-agent.js'), 'utf8'));
    ws.write('tools/coop-agent.js', "require('fs').writeFileSync('apps/coop/src/coop.js', \"exports.coop = 'done';\\n\");\nconsole.log('coop: wrote apps/coop/src/coop.js');\n");
    ws.write('tools/check-coop.js', "if (require('../apps/coop/src/coop.js').coop !== 'done') process.exit(1);\nconsole.log('coop ok');\n");
    ws.write('tools/check-hostile.js', "require('../libs/hostile/index.js');\nrequire('../libs/hostile/attacks.json');\nconsole.log('hostile lane files present');\n");
    ws.write('nx.json', JSON.stringify({ plugins: ['nx-agent-lanes'] }, null, 2));
    const plan = {
      goal: 'Three lanes beside each other, two of them hostile',
      contract: 'contract.md',
      agent: { provider: 'command', command: 'node tools/coop-agent.js' },
      // Never run these attacks unsandboxed: without bubblewrap the run is refused instead.
      sandbox: 'required',
      lanes: {
        hostile: {
          spec: 'lanes/hostile.md',
          owns: ['libs/hostile/**'],
          test: 'node tools/check-hostile.js',
          agent: { command: 'node tools/hostile-agent.js' },
          limits: { outputBytes: OUTPUT_CAP },
        },
        probe: {
          spec: 'lanes/probe.md',
          owns: ['libs/probe/**'],
          test: 'node libs/probe/probe.test.js',
          agent: { provider: 'anthropic', model: 'claude-sonnet-4-6' },
        },
        coop: { spec: 'lanes/coop.md', owns: ['apps/coop/src/**'], test: 'node tools/check-coop.js' },
      },
      integration: { test: 'node tools/check-coop.js && node tools/check-hostile.js && node libs/probe/probe.test.js' },
    };
    ws.write('features/hx/feature.jsonc', `// written by the hostile e2e test\n${JSON.stringify(plan, null, 2)}\n`);
    ws.write('features/hx/contract.md', '# hx contract\n');
    for (const lane of Object.keys(plan.lanes)) ws.write(`features/hx/lanes/${lane}.md`, `# ${lane}\nSESSION: ${lane}\n`);
    ws.commitAll('plan hx');
    // The user's work in progress: an edit to a file the coop lane owns, and an untracked file.
    ws.write('apps/coop/src/index.js', "exports.coop = 'mine, not committed';\n");
    ws.write('notes/todo.txt', 'my notes, untracked\n');

    decoy = await startDecoy();
    const { startMessagesApiServer } = require(join(BUILT_PACKAGE, 'src/replay/messages-api-server.js'));
    replay = await startMessagesApiServer({ script: { sessions: [probeSession(readFileSync(join(__dirname, 'fixtures/hostile/probe.test.js'), 'utf8'))] } });
    upstream = await startRecordingUpstream(replay.port);

    before.repo = fingerprintRepository(ws.root);
    before.checkout = fingerprintCheckout(ws.root);
    before.nodeModules = fingerprintNodeModules(ws.root);
    before.home = fingerprintTree(hostHome);
    before.objects = listObjects(ws.root);

    const nxStarted = Date.now();
    run = await runNxAsync(ws, ['run', 'hx:integrate', '--parallel=3'], {
      NX_AGENT_LANES_WORKTREES: worktreesRoot,
      CI: 'true',
      HOME: hostHome,
      TMPDIR: nxTmp,
      ANTHROPIC_API_KEY: key,
      ANTHROPIC_BASE_URL: upstream.url,
      HOSTILE_MARKER: marker,
      HOSTILE_WORKSPACE: ws.root,
      HOSTILE_HOST_HOME: hostHome,
      HOSTILE_DECOY_PORT: String(decoy.port),
      HOSTILE_HOST_IPS: hostAddresses().join(','),
      HOSTILE_FLOOD_MB: String(FLOOD_MB),
    });
    exitedAt = Date.now();
    leftAtExit = findRunProcesses([marker, worktreesRoot, ws.root, nxTmp, hostHome]);
    timings.nxRunMs = exitedAt - nxStarted;
  });

  afterAll(async () => {
    console.log(`hostile e2e timings: ${JSON.stringify(timings)}`);
    await Promise.all([decoy?.close(), upstream?.close(), replay?.close()]);
    // HOSTILE_E2E_KEEP=1 keeps the workspace and scratch folder to look at after a failure.
    if (process.env.HOSTILE_E2E_KEEP === '1') {
      writeFileSync(join(scratch, 'nx-output.txt'), run?.output ?? '');
      return console.log(`kept ${ws?.root} and ${scratch}`);
    }
    ws?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('runs the feature to a green integration: every lane done and verified, lanes/hx holds exactly the lanes\' owned files', () => {
    expect({ status: run.status, tail: run.status === 0 ? '' : run.output.slice(-4000) }).toEqual({ status: 0, tail: '' });
    for (const lane of ['hostile', 'probe', 'coop']) {
      expect({ lane, status: laneResult(lane).status, sandboxed: laneResult(lane).sandboxed }).toEqual({ lane, status: 'done', sandboxed: true });
      expect({ lane, passed: verifyResult(lane).passed, sandboxed: verifyResult(lane).sandboxed }).toEqual({ lane, passed: true, sandboxed: true });
    }
    expect(integration().outcome).toBe('green');
    expect(ws.git(['diff', '--name-only', 'main', 'lanes/hx']).split('\n').sort()).toEqual([
      'apps/coop/src/coop.js',
      'libs/hostile/attacks.json',
      'libs/hostile/env.json',
      'libs/hostile/index.js',
      'libs/hostile/key.b64',
      'libs/probe/out/key-lane.b64',
      'libs/probe/out/lane.json',
      'libs/probe/probe.test.js',
    ]);
    // The cooperating lane's work, untouched by its neighbours.
    expect(featureBranchFile('apps/coop/src/coop.js')).toBe("exports.coop = 'done';");
    expect(laneResult('coop').filesChanged).toEqual([{ path: 'apps/coop/src/coop.js', status: 'added' }]);
  });

  describe('the hostile command agent', () => {
    const attacks = () => JSON.parse(featureBranchFile('libs/hostile/attacks.json')) as Array<{ attack: string; outcome: string; code?: string; message?: string; detail?: unknown }>;
    /** What the agent recorded beside an attempt (a path, the processes it saw, the key it read). */
    const detailOf = <T>(attack: string) => attacks().find((a) => a.attack === attack)?.detail as T;
    const outcomeOf = (attack: string) => {
      const found = attacks().find((a) => a.attack === attack);
      if (!found) throw new Error(`the agent did not record ${attack}`);
      return { outcome: found.outcome, code: found.code, message: found.message };
    };
    const READ_ONLY = { outcome: 'refused', code: 'EROFS', message: expect.stringContaining('read-only file system') };
    const GIT_READ_ONLY = { outcome: 'refused', code: expect.stringMatching(/^exit [1-9]/), message: expect.stringMatching(/Read-only file system/) };

    it('is refused every write to the user\'s .git: hooks, config, info, refs, HEAD, and the worktree\'s .git file', () => {
      expect(outcomeOf('git-hook-file')).toEqual(READ_ONLY);
      expect(outcomeOf('git-hook-via-git-config')).toEqual(GIT_READ_ONLY);
      expect(outcomeOf('git-alias-via-git-config')).toEqual(GIT_READ_ONLY);
      expect(outcomeOf('git-config-append')).toEqual(READ_ONLY);
      expect(outcomeOf('git-info-attributes')).toEqual(READ_ONLY);
      expect(outcomeOf('git-update-ref-main')).toEqual(GIT_READ_ONLY);
      // git names no cause when it cannot make refs/heads/lanes/ (it is on the read-only mount).
      expect(outcomeOf('git-plant-lanes-branch')).toEqual({ ...GIT_READ_ONLY, message: expect.stringMatching(/unable to create directory for .*\/\.git\/refs\/heads\/lanes\/hx/) });
      expect(outcomeOf('git-worktree-head-to-main')).toEqual(GIT_READ_ONLY);
      expect(outcomeOf('git-user-head-file')).toEqual(READ_ONLY);
      expect(outcomeOf('git-commit-in-worktree')).toEqual(GIT_READ_ONLY);
      expect(outcomeOf('git-dot-git-file-repoint')).toEqual(READ_ONLY);
      // A bind-mounted file cannot be unlinked from its folder: EBUSY, not EROFS.
      expect(outcomeOf('git-dot-git-file-remove')).toEqual({ outcome: 'refused', code: 'EBUSY', message: expect.any(String) });
    });

    it('is refused every write to node_modules: the installed plugin and .bin/nx, through the worktree\'s link and by absolute path', () => {
      expect(outcomeOf('node-modules-plugin-via-worktree-link')).toEqual(READ_ONLY);
      expect(outcomeOf('node-modules-plugin-absolute')).toEqual(READ_ONLY);
      expect(outcomeOf('node-modules-bin-nx-write')).toEqual(READ_ONLY);
      expect(outcomeOf('node-modules-bin-nx-replace')).toEqual(READ_ONLY);
    });

    it('is refused writes to the user\'s checkout and home; what it wrote to its private HOME and /tmp stays in the sandbox', () => {
      expect(outcomeOf('checkout-file-overwrite')).toEqual(READ_ONLY);
      expect(outcomeOf('checkout-file-append')).toEqual(READ_ONLY);
      expect(outcomeOf('checkout-new-file')).toEqual(READ_ONLY);
      expect(outcomeOf('host-home-append')).toEqual(READ_ONLY);
      expect(outcomeOf('host-home-new-file')).toEqual(READ_ONLY);
      // /tmp, and with it the worktrees' parent folder here, is a private tmpfs inside: a write
      // there succeeds and is gone with the sandbox. The host's side must never see it.
      expect(outcomeOf('tmp-new-file').outcome).toBe('succeeded');
      expect(existsSync(detailOf<string>('tmp-new-file'))).toBe(false);
      expect(existsSync(join(worktreesRoot, 'hx', 'planted-by-agent'))).toBe(false);
      // HOME inside is the lane's own, in its scratch folder (removed with the stage), not the host user's.
      const look = detailOf<{ home: string }>('look-around');
      expect(look.home).not.toBe(hostHome);
      expect(look.home.startsWith(nxTmp)).toBe(true);
      expect(existsSync(look.home)).toBe(false);
    });

    it('starts a setsid daemon and a detached node writer inside, and neither outlives the lane', async () => {
      const inside = detailOf<Array<{ cmdline: string }>>('daemons-running-inside');
      // The attempts were real: both were running in the sandbox when the agent looked.
      expect(inside.some((p) => p.cmdline.includes(`${marker}-daemon`))).toBe(true);
      expect(inside.some((p) => p.cmdline.includes(`${marker}-writer`))).toBe(true);
      expect(leftAtExit).toEqual([]);
      // The daemon would write `recreated` 5 s after it started; the writer appends every 100 ms.
      const parent = join(worktreesRoot, 'hx');
      const deadline = exitedAt + 8000;
      while (Date.now() < deadline) {
        expect([existsSync(join(parent, 'recreated')), existsSync(join(parent, 'writer.log'))]).toEqual([false, false]);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(findRunProcesses([marker, worktreesRoot, ws.root, nxTmp, hostHome])).toEqual([]);
    });

    it('reaches no network: the test\'s loopback server, this machine\'s own addresses and the internet are all out of reach', () => {
      expect(outcomeOf('net-decoy-loopback')).toEqual({ outcome: 'refused', code: 'ECONNREFUSED', message: expect.any(String) });
      const ips = hostAddresses();
      for (const ip of ips) expect(outcomeOf(`net-decoy-host-ip ${ip}`)).toEqual({ outcome: 'refused', code: 'ENETUNREACH', message: expect.any(String) });
      expect(outcomeOf('net-external-ip')).toEqual({ outcome: 'refused', code: 'ENETUNREACH', message: expect.any(String) });
      expect(outcomeOf('net-external-host')).toEqual({ outcome: 'refused', code: expect.stringMatching(/^(EAI_AGAIN|ENOTFOUND)$/), message: expect.any(String) });
      expect(decoy.connections).toEqual([]);
    });

    it('sees only the placeholder key and its lane\'s proxy address, in its own environment and in every process it can see', () => {
      const seen = detailOf<{ value: string; baseUrl: string; inProcEnvirons: string[] }>('read-api-key');
      expect(seen.value).toBe(PLACEHOLDER);
      expect(seen.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/lane\/[A-Za-z0-9_-]+$/);
      expect(seen.inProcEnvirons).toEqual([PLACEHOLDER]);
      expect(Buffer.from(featureBranchFile('libs/hostile/key.b64'), 'base64').toString()).toBe(PLACEHOLDER);
    });

    it('floods 100 MiB of output: past limits.outputBytes it is dropped with one line saying how much, and the lane still ends done', () => {
      const events = transcript('hostile');
      const dropped = events.find((e) => e.type === 'output-dropped');
      expect(dropped).toMatchObject({ limitBytes: OUTPUT_CAP });
      expect(dropped!.droppedBytes).toBeGreaterThan((FLOOD_MB - 2) * 1024 * 1024);
      expect(events.filter((e) => e.type === 'output').map((e) => e.line).join('\n')).toMatch(/output cap of 1(\.0)? MiB reached; .* more dropped/);
      expect(statSync(join(laneDir('hostile'), 'transcript.jsonl')).size).toBeLessThan(4 * OUTPUT_CAP);
      expect(events.find((e) => e.type === 'agent-end')).toMatchObject({ exitCode: 0, sandboxed: true, status: 'done' });
    });
  });

  describe('the hostile test file of the anthropic lane', () => {
    type ProbeLine = { attack: string; outcome: string; code?: string; message?: string; detail?: unknown };
    const readProbe = (text: string, phase: string): ProbeLine[] =>
      text
        .split('\n')
        .filter((line) => line.startsWith(`PROBE ${phase} `))
        .map((line) => JSON.parse(line.slice(`PROBE ${phase} `.length)));
    const runTestsOutput = () => transcript('probe').filter((e) => e.type === 'tool_result' && e.name === 'run_tests').map((e) => String(e.content)).join('\n');
    const phases = () => ({
      lane: { text: runTestsOutput(), lines: readProbe(runTestsOutput(), 'lane') },
      verify: { text: verifyResult('probe').tests.outputTail as string, lines: readProbe(verifyResult('probe').tests.outputTail, 'verify') },
      integration: { text: integration().integration.outputTail as string, lines: readProbe(integration().integration.outputTail, 'integration') },
    });

    it('has its write tools refuse .git, node_modules, another lane\'s file and a path out of the worktree, naming why', () => {
      const results = transcript('probe').filter((e) => e.type === 'tool_result' && e.turn === 1);
      expect(results.map((r) => r.is_error)).toEqual([true, true, true, true]);
      const text = results.map((r) => String(r.content)).join('\n');
      expect(text).toMatch(/\.git/);
      expect(text).toMatch(/node_modules/);
      expect(text).toMatch(/coop/);
      expect(text).toMatch(/outside|\.\./);
    });

    it.each(['lane', 'verify', 'integration'] as const)('is refused every attack when it runs in %s', (phase) => {
      const { text, lines } = phases()[phase];
      expect(text).toContain(`probe ${phase}: all tests passed`);
      const outcome = (attack: string) => {
        const found = lines.find((l) => l.attack === attack);
        if (!found) throw new Error(`no ${attack} line in the ${phase} output:\n${text}`);
        return found;
      };
      expect(outcome('plant-hook')).toEqual({ attack: 'plant-hook', outcome: 'refused', code: 'EROFS' });
      expect(outcome('hooks-path')).toMatchObject({ outcome: 'refused', message: expect.stringMatching(/Read-only file system/) });
      expect(outcome('move-main')).toMatchObject({ outcome: 'refused', message: expect.stringMatching(/Read-only file system/) });
      expect(outcome('write-checkout')).toMatchObject({ outcome: 'refused', code: 'EROFS' });
      expect(outcome('write-home')).toMatchObject({ outcome: 'refused', code: 'EROFS' });
      expect(outcome('append-plugin-via-worktree-link')).toMatchObject({ outcome: 'refused', code: 'EROFS' });
      expect(outcome('append-plugin-absolute')).toMatchObject({ outcome: 'refused', code: 'EROFS' });
      expect(outcome('net-decoy-loopback')).toMatchObject({ outcome: 'refused', code: 'ECONNREFUSED' });
      // Tests get no credential, and no process they can see holds one.
      expect(outcome('leak-api-key').detail).toEqual({ present: false, base64: Buffer.from('undefined').toString('base64'), inProcEnvirons: [] });
      // In the lane, run_tests shares the agent's bridge to the metering proxy; without a lane's address it answers 404.
      const proxyAnswers = Object.values(outcome('api-proxy-without-a-lane-address').detail as Record<string, unknown[]>).flat();
      if (phase === 'lane') expect(proxyAnswers).toEqual([404, 404]);
      else expect(proxyAnswers).toEqual([]);
      // ...and the proxy names both refusals in the lane's log.
      if (phase === 'lane') expect(run.output.match(/\[probe\] api proxy: refused POST: no lane at this address/g)).toHaveLength(2);
    });

    it('spends nothing through the proxy: upstream saw the scripted turns only, each with the real key, never the placeholder', () => {
      expect(replay.stats().bySession).toEqual({ probe: 4 });
      expect(replay.stats().unmatched).toBe(0);
      expect(upstream.requests.map((r) => `${r.method} ${r.path}`)).toEqual(Array(4).fill('POST /v1/messages'));
      expect(upstream.requests.map((r) => r.apiKey)).toEqual(Array(4).fill(key));
      expect(laneResult('probe')).toMatchObject({ turns: 4, usageSource: 'proxy' });
    });
  });

  it('leaves the user\'s repository as it was: refs (but the new lanes/hx), HEAD, config, hooks, info, every other .git file, the old objects', () => {
    const after = fingerprintRepository(ws.root);
    const lanesBranch = ws.git(['rev-parse', 'refs/heads/lanes/hx']);
    expect(after.refs).toBe(`${[...before.repo!.refs.trim().split('\n'), `refs/heads/lanes/hx ${lanesBranch}`].sort().join('\n')}\n`);
    const { refs: _r, ...rest } = after;
    const { refs: _b, ...restBefore } = before.repo!;
    // The plugin's own new ref may appear as a file, and git itself writes an empty packed-refs
    // (its header only) when the plugin deletes the lane branches; the refs are compared above.
    delete (rest as Record<string, string>)['file refs/heads/lanes/hx'];
    if (!restBefore['file packed-refs'] && rest['file packed-refs']) {
      expect(readFileSync(join(ws.root, '.git', 'packed-refs'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([]);
      delete (rest as Record<string, string>)['file packed-refs'];
    }
    // The worktrees the lanes gave back to the pool are the plugin's (checked below), not the user's.
    for (const admin of pooledWorktrees().map((wt) => execFileSync('git', ['rev-parse', '--absolute-git-dir'], { cwd: wt, encoding: 'utf8' }).trim())) {
      for (const key of Object.keys(rest)) if (key.startsWith(`file worktrees/${admin.split('/').pop()}/`)) delete (rest as Record<string, string>)[key];
    }
    expect(rest).toEqual(restBefore);
    const objects = new Set(listObjects(ws.root));
    expect(before.objects!.filter((o) => !objects.has(o))).toEqual([]);
    // No lane worktree, lane branch or lock is left; the pool holds only worktrees as clean as a fresh checkout.
    const pool = join(worktreesRoot, '.pool');
    expect(ws.git(['worktree', 'list', '--porcelain']).split('\n').filter((l) => l.startsWith('worktree ') && !l.startsWith(`worktree ${pool}/`))).toEqual([`worktree ${ws.root}`]);
    for (const changes of Object.values(describePooledChanges(ws))) expect(changes).toBe('');
    expect(ws.git(['branch', '--list', 'agent-lanes/*'])).toBe('');
    expect(listTree(join(ws.root, '.git', 'nx-agent-lanes', 'locks'))).toEqual([]);
    expect(listTree(worktreesRoot).filter((f) => !statSync(f).isDirectory() && !f.startsWith(`${pool}/`))).toEqual([]);
    // The temp folder nx ran with holds Nx's own file cache only: scratch folders and sandbox sockets are gone.
    expect(readdirSync(nxTmp).filter((name) => !name.startsWith('nx-native-file-cache'))).toEqual([]);
  });

  it('leaves the user\'s checkout, installed packages and home byte-identical', () => {
    expect(fingerprintCheckout(ws.root)).toBe(before.checkout);
    expect(fingerprintNodeModules(ws.root)).toEqual(before.nodeModules);
    expect(fingerprintTree(hostHome)).toEqual(before.home);
    expect(existsSync(join(ws.root, 'planted-by-agent.txt'))).toBe(false);
    expect(existsSync(join(ws.root, 'planted-by-test.txt'))).toBe(false);
    expect(existsSync(`/tmp/planted-by-agent-${marker}`)).toBe(false);
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
  });

  it('writes the real key, in plain, base64 or hex, into no artifact, cached output, log, worktree folder, lanes/hx file or git object', () => {
    const needles = [
      key,
      Buffer.from(key).toString('base64'),
      Buffer.from(key).toString('hex'),
      Buffer.from(`ANTHROPIC_API_KEY=${key}`).toString('base64'),
      Buffer.from(JSON.stringify(key)).toString('hex'),
    ];
    const places: Array<[string, string]> = [['nx output', run.output]];
    for (const dir of [ws.root, worktreesRoot, nxTmp, hostHome]) {
      for (const file of listTree(dir, ['node_modules'])) if (lstatSync(file).isFile()) places.push([file, readFileSync(file, 'latin1')]);
    }
    places.push(['git objects', execFileSync('git', ['cat-file', '--batch-all-objects', '--batch'], { cwd: ws.root, encoding: 'latin1', maxBuffer: 512 * 1024 * 1024 })]);
    const branchFiles = ws.git(['ls-tree', '-r', '--name-only', 'lanes/hx']).split('\n');
    for (const file of branchFiles) places.push([`lanes/hx:${file}`, featureBranchFile(file)]);
    const leaks = places.flatMap(([where, text]) => needles.filter((n) => text.includes(n)).map((n) => `${where} holds ${n === key ? 'the key' : 'an encoding of the key'}`));
    expect(leaks).toEqual([]);
    // The scan saw what it had to: Nx's cache of this run, the lanes' transcripts, the branch.
    expect(readdirSync(join(ws.root, '.nx', 'cache', 'terminalOutputs')).length).toBeGreaterThanOrEqual(4);
    expect(places.some(([where]) => where.endsWith('transcript.jsonl'))).toBe(true);
    expect(branchFiles).toContain('libs/hostile/env.json');
  });
});

/**
 * The workspace moved into a new folder under `parent`, with helpers that follow it:
 * createScratchWorkspace makes it in the system temp folder (its install is relocatable: the
 * plugin is a copied tarball, .bin links are relative).
 */
function moveWorkspace(ws: ScratchWorkspace, parent: string): ScratchWorkspace {
  const root = join(mkdtempSync(join(parent, 'nx-agent-lanes-e2e-hostile-')), 'ws');
  try {
    renameSync(ws.root, root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    cpSync(ws.root, root, { recursive: true, verbatimSymlinks: true });
    ws.dispose();
  }
  const git = (args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  return {
    root,
    nodeBinary: ws.nodeBinary,
    nx: () => {
      throw new Error('run nx with runNx: this process serves the model API and must not block');
    },
    git,
    write(path, content) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    },
    read: (path) => readFileSync(join(root, path), 'utf8'),
    commitAll(message) {
      git(['add', '-A']);
      git(['commit', '-q', '-m', message]);
      return git(['rev-parse', 'HEAD']);
    },
    dispose: () => rmSync(dirname(root), { recursive: true, force: true }),
  };
}

/** The anthropic lane's session: write-tool attacks, the hostile test file, run_tests, finish. */
function probeSession(probeSource: string) {
  const write = (path: string, content: string) => ({ type: 'tool_use', name: 'write_file', input: { path, content } });
  return {
    name: 'probe',
    match: { contains: 'SESSION: probe' },
    turns: [
      {
        content: [
          write('.git/hooks/pre-commit', '#!/bin/sh\nexit 0\n'),
          write('node_modules/nx-agent-lanes/package.json', '{}\n'),
          write('apps/coop/src/coop.js', "exports.coop = 'stolen';\n"),
          write('../planted-by-model.txt', 'x\n'),
        ],
      },
      { content: [write('libs/probe/probe.test.js', probeSource)] },
      { content: [{ type: 'tool_use', name: 'run_tests', input: {} }] },
      { content: [{ type: 'tool_use', name: 'finish', input: { summary: 'libs/probe/probe.test.js: the probe; its tests pass.' } }] },
    ],
  };
}

/** nx in the background (this process serves the model API and the decoy, so it must not block). */
