import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createLaneRepo, disposeLaneRepo, inlineNodeCommand, scriptedProvider, testFeature, testLane } from '../__fixtures__/lane-fixture';
import { LanesError } from '../errors';
import type { Feature, Lane, SandboxMode } from '../feature/feature-types';
import type { TestRepo } from '../git/create-test-repo';
import { parseWorktreeList } from '../git/worktree-list';
import type { VerifyResult } from '../layout';
import { runLane } from '../lanes/run-lane';
import { verifyLane } from '../verify/verify-lane';
import { runStage, type StageWorktree } from './run-stage';
import { forgetSandboxDetection } from './sandbox-warning';

const CREDENTIALS = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN', 'ANTHROPIC_BASE_URL'];

const withSandbox = (lane: Lane, mode: SandboxMode): Lane => ({ ...lane, sandbox: { mode, allowHosts: [] } });

/**
 * detectSandbox looks for bwrap and socat on PATH; a PATH holding only git (the plugin's own git
 * needs it) makes the sandbox unavailable here for the whole test, whatever the machine has.
 */
function hideSandboxFromPath(): () => void {
  const saved = process.env.PATH;
  const bin = mkdtempSync(join(tmpdir(), 'run-stage-bin-'));
  const git = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  symlinkSync(git, join(bin, 'git'));
  process.env.PATH = bin;
  forgetSandboxDetection();
  return () => {
    process.env.PATH = saved;
    forgetSandboxDetection();
    rmSync(bin, { recursive: true, force: true });
  };
}

describe('runStage', () => {
  let repo: TestRepo;
  let restorePath: (() => void) | undefined;
  const feature = testFeature([testLane('logic', ['libs/export/**'])]);
  const lane = feature.lanes[0];
  const artifacts = () => join(repo.root, 'dist/agent-lanes/f/logic');
  const worktreeCount = () => repo.git(['worktree', 'list']).trim().split('\n').length;

  beforeEach(() => {
    forgetSandboxDetection();
    repo = createLaneRepo(feature);
  });
  afterEach(() => {
    restorePath?.();
    restorePath = undefined;
    forgetSandboxDetection();
    disposeLaneRepo(repo);
  });

  /** A stage that does nothing but what runStage does around its body, with its log kept. */
  async function emptyStage(options: { mode: SandboxMode; runId?: string; task?: string }): Promise<string[]> {
    const lines: string[] = [];
    const env = { ...process.env };
    delete env.NX_AGENT_LANES_RUN_ID;
    if (options.runId) env.NX_AGENT_LANES_RUN_ID = options.runId;
    await runStage(
      { workspaceRoot: repo.root, feature, task: options.task ?? 'lane--logic', sandbox: { mode: options.mode, allowHosts: [] }, where: 'lane logic', env, log: (l) => lines.push(l) },
      async () => undefined,
    );
    return lines.filter((l) => l.startsWith('WARNING'));
  }

  describe('"sandbox": "required" where the sandbox is unavailable', () => {
    beforeEach(() => {
      restorePath = hideSandboxFromPath();
    });

    it('makes runLane throw with the install hint before the agent runs, leaving no worktree', async () => {
      const provider = scriptedProvider({ logic: { edits: { 'libs/export/a.ts': 'a\n' } } });
      const required = withSandbox(lane, 'required');
      const error = await runLane({ workspaceRoot: repo.root, feature, lane: required, providers: { command: provider, anthropic: provider } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LanesError);
      expect((error as LanesError).message).toBe('"sandbox": "required" (lane logic), and the OS sandbox is not available: bubblewrap and socat are not installed.');
      expect((error as LanesError).hint).toContain('sudo apt-get install bubblewrap socat');
      expect(provider.runs).toEqual([]);
      expect(worktreeCount()).toBe(1);
      expect(existsSync(join(artifacts(), 'result.json'))).toBe(false);
    });

    it('makes verifyLane record the refusal with its hint in verify.json', async () => {
      const provider = scriptedProvider({ logic: { edits: { 'libs/export/a.ts': 'a\n' } } });
      // The lane ran where the plan allowed it unsandboxed; its verify asks for the sandbox.
      const done = await runLane({ workspaceRoot: repo.root, feature, lane: withSandbox(lane, 'off'), providers: { command: provider, anthropic: provider } });
      expect(done.status).toBe('done');
      const result = await verifyLane({ workspaceRoot: repo.root, feature, lane: withSandbox(lane, 'required') });
      const written = JSON.parse(readFileSync(join(artifacts(), 'verify.json'), 'utf8')) as VerifyResult;
      expect(written).toEqual(result);
      expect(written.passed).toBe(false);
      expect(written.reason).toMatch(/^"sandbox": "required" \(verify of lane logic\), and the OS sandbox is not available: bubblewrap and socat are not installed\.\n/);
      expect(written.reason).toContain('sudo apt-get install bubblewrap socat');
      expect(written.sandboxed).toBe(false);
      expect(written.tests).toBeUndefined();
      expect(worktreeCount()).toBe(1);
    });
  });

  describe('"sandbox": "auto" where the sandbox is unavailable', () => {
    beforeEach(() => {
      restorePath = hideSandboxFromPath();
    });

    it('warns in full once per run id, in one line for later stages of that run, and in full again for a new run', async () => {
      const first = await emptyStage({ mode: 'auto', runId: 'run-1' });
      const second = await emptyStage({ mode: 'auto', runId: 'run-1', task: 'verify--logic' });
      const third = await emptyStage({ mode: 'auto', runId: 'run-2' });

      expect(first).toHaveLength(1);
      expect(first[0]).toMatch(/^WARNING: Lane processes run WITHOUT the OS sandbox \(lane logic\): bubblewrap and socat are not installed\. /);
      expect(first[0]).toContain('sudo apt-get install bubblewrap socat');
      expect(first[0]).toContain('Set "sandbox": "required" to refuse to run instead');
      expect(second).toEqual([
        'WARNING: running WITHOUT the OS sandbox ("sandbox": "auto" and it is not available here; the first task of this run said why).',
      ]);
      expect(third).toEqual(first);
    });

    it('warns in full at every stage without a run id, and not at all for "off"', async () => {
      const first = await emptyStage({ mode: 'auto' });
      const second = await emptyStage({ mode: 'auto' });
      expect(first).toHaveLength(1);
      expect(first[0]).toContain('bubblewrap and socat are not installed');
      expect(second).toEqual(first);
      expect(await emptyStage({ mode: 'off', runId: 'run-3' })).toEqual([]);
    });
  });

  describe('keylessEnv', () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ANTHROPIC_API_KEY: 'fake-key-marker-stage-api-0123456789',
      ANTHROPIC_AUTH_TOKEN: 'fake-key-marker-stage-auth-0123456789',
      CLAUDE_CODE_OAUTH_TOKEN: 'fake-key-marker-stage-oauth-0123456789',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/upstream',
      LANE_VISIBLE_MARKER: 'passed-through',
    };
    // Fails on purpose: what it prints is kept in verify.json's output tail after the worktree is gone.
    const printEnv = inlineNodeCommand(
      [
        `const names = ${JSON.stringify(CREDENTIALS)};`,
        `console.log('CREDENTIALS_SEEN=' + JSON.stringify(names.filter((n) => n in process.env)));`,
        `console.log('MARKER_VALUES_SEEN=' + Object.values(process.env).filter((v) => String(v).includes('fake-key-marker')).length);`,
        `console.log('VISIBLE=' + process.env.LANE_VISIBLE_MARKER);`,
        `process.exit(7);`,
      ].join('\n'),
    );

    async function verifyWith(featureOf: (lane: Lane) => Feature): Promise<VerifyResult> {
      const checked = featureOf(lane);
      const provider = scriptedProvider({ logic: { edits: { 'libs/export/a.ts': 'a\n' } } });
      await runLane({ workspaceRoot: repo.root, feature: checked, lane: checked.lanes[0], providers: { command: provider, anthropic: provider }, env });
      return verifyLane({ workspaceRoot: repo.root, feature: checked, lane: checked.lanes[0], env });
    }

    it('is what a verify test process sees: no credential, the rest of the environment', async () => {
      const v = await verifyWith((l) => testFeature([{ ...l, test: printEnv }]));
      expect(v.passed).toBe(false);
      expect(v.sandboxed).toBe(true);
      expect(v.tests).toMatchObject({ exitCode: 7, sandboxed: true });
      expect(v.tests!.outputTail).toContain('CREDENTIALS_SEEN=[]');
      expect(v.tests!.outputTail).toContain('MARKER_VALUES_SEEN=0');
      expect(v.tests!.outputTail).toContain('VISIBLE=passed-through');
    });

    it('is what the feature setup sees', async () => {
      const v = await verifyWith((l) => testFeature([l], { setup: printEnv }));
      expect(v.passed).toBe(false);
      expect(v.tests).toBeUndefined();
      expect(v.setup).toMatchObject({ exitCode: 7 });
      expect(v.setup!.outputTail).toContain('CREDENTIALS_SEEN=[]');
      expect(v.setup!.outputTail).toContain('MARKER_VALUES_SEEN=0');
      expect(v.setup!.outputTail).toContain('VISIBLE=passed-through');
    });

    it('holds no credential while env keeps them for the proxy', async () => {
      await runStage({ workspaceRoot: repo.root, feature, task: 'lane--logic', sandbox: lane.sandbox, where: 'lane logic', env }, async (stage) => {
        for (const name of CREDENTIALS) {
          expect(stage.keylessEnv[name]).toBeUndefined();
          expect(stage.env[name]).toBe(env[name]);
        }
        expect(stage.keylessEnv.LANE_VISIBLE_MARKER).toBe('passed-through');
      });
    });
  });

  describe('worktrees, scratch folders and the lock', () => {
    const stageOptions = () => ({ workspaceRoot: repo.root, feature, task: 'lane--logic', sandbox: lane.sandbox, where: 'lane logic' });

    async function openIn(body?: (worktree: StageWorktree) => void): Promise<StageWorktree> {
      let opened: StageWorktree | undefined;
      await runStage(stageOptions(), async (stage) => {
        const base = await stage.resolveBase();
        opened = await stage.openWorktree({ name: 'logic', baseCommit: base.commit });
        expect(existsSync(opened.path)).toBe(true);
        expect(existsSync(opened.scratch)).toBe(true);
        expect(opened.cwd).toBe(join(opened.path, stage.workspaceInRepo));
        expect(repo.git(['branch', '--list', opened.branch]).trim()).not.toBe('');
        body?.(opened);
      });
      return opened!;
    }

    /** The worktrees git knows besides the checkout, with their branch (none: detached) and lock. */
    const otherWorktrees = () => parseWorktreeList(repo.git(['worktree', 'list', '--porcelain'])).filter((e) => e.path !== repo.root);

    it('gives the worktree back to the pool after the stage, detached and locked as the pool\u2019s, its branch and scratch folder removed', async () => {
      const wt = await openIn();
      expect(existsSync(wt.path)).toBe(false);
      expect(existsSync(wt.scratch)).toBe(false);
      expect(repo.git(['branch', '--list', 'agent-lanes/*']).trim()).toBe('');
      expect(otherWorktrees()).toEqual([{ path: join(wt.pool!.dir, basename(wt.path)), head: expect.any(String), bare: false, detached: true, locked: 'nx-agent-lanes pool' }]);
      // The next stage starts from it instead of a new checkout, and gives it back again.
      const next = await openIn((opened) => expect(opened.reused).toBe(true));
      expect(next.path).not.toBe(wt.path);
      expect(otherWorktrees()).toHaveLength(1);
    });

    it('removes the worktree instead when pooling is off (NX_AGENT_LANES_POOL_SIZE=0)', async () => {
      process.env.NX_AGENT_LANES_POOL_SIZE = '0';
      try {
        const wt = await openIn((opened) => expect(opened.pool).toBeUndefined());
        expect(existsSync(wt.path)).toBe(false);
        expect(repo.git(['branch', '--list', wt.branch]).trim()).toBe('');
        expect(worktreeCount()).toBe(1);
      } finally {
        delete process.env.NX_AGENT_LANES_POOL_SIZE;
      }
    });

    it('removes the worktree instead when the stage ran without the OS sandbox, whose processes may outlive it', async () => {
      restorePath = hideSandboxFromPath();
      let wt: StageWorktree | undefined;
      await runStage({ ...stageOptions(), sandbox: { mode: 'auto', allowHosts: [] } }, async (stage) => {
        wt = await stage.openWorktree({ name: 'logic', baseCommit: (await stage.resolveBase()).commit });
      });
      expect(existsSync(wt!.path)).toBe(false);
      expect(repo.git(['branch', '--list', wt!.branch]).trim()).toBe('');
      expect(worktreeCount()).toBe(1);
    });

    it('releases them when the body throws, and releases the lock', async () => {
      let wt: StageWorktree | undefined;
      const failed = runStage(stageOptions(), async (stage) => {
        wt = await stage.openWorktree({ name: 'logic', baseCommit: (await stage.resolveBase()).commit });
        throw new Error('the body failed');
      });
      await expect(failed).rejects.toThrow('the body failed');
      expect(existsSync(wt!.path)).toBe(false);
      expect(existsSync(wt!.scratch)).toBe(false);
      expect(repo.git(['branch', '--list', 'agent-lanes/*']).trim()).toBe('');
      expect(otherWorktrees().map((e) => ({ detached: e.detached, locked: e.locked }))).toEqual([{ detached: true, locked: 'nx-agent-lanes pool' }]);
      await expect(runStage(stageOptions(), async () => 'again')).resolves.toBe('again');
    });

    it('keeps a kept worktree and its branch, says so, and still removes its scratch folder', async () => {
      const lines: string[] = [];
      let wt: StageWorktree | undefined;
      await runStage({ ...stageOptions(), log: (l) => lines.push(l) }, async (stage) => {
        wt = await stage.openWorktree({ name: 'logic', baseCommit: (await stage.resolveBase()).commit });
        wt.keep();
      });
      expect(existsSync(wt!.path)).toBe(true);
      expect(existsSync(wt!.scratch)).toBe(false);
      expect(repo.git(['branch', '--list', wt!.branch]).trim()).not.toBe('');
      expect(lines).toContain(`kept worktree ${wt!.path} (branch ${wt!.branch})`);
      repo.git(['worktree', 'remove', '--force', '--force', wt!.path]);
    });

    it('runs one stage of a task at a time', async () => {
      await runStage(stageOptions(), async () => {
        await expect(runStage(stageOptions(), async () => undefined)).rejects.toThrow('f:lane--logic is already running in this repository');
      });
    });
  });
});
