import { execFileSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintCheckout } from './utils/checkout-fingerprint';
import { addProject, createScratchWorkspace, nxEnv, type ScratchWorkspace } from './utils/scratch-workspace';

/**
 * Bad input through a real Nx: each case ends with a message that says what is wrong,
 * where, and what to do; no stack trace; and the checkout exactly as it was. (Unit tests next to
 * the code cover the same messages without Nx: git/tree-blobs.spec.ts, verify/describe-check-failure.spec.ts.)
 */
describe('bad input under Nx', () => {
  let ws: ScratchWorkspace;
  let scratch: string;
  let markers: string;
  let worktreesRoot: string;
  const env = () => ({ MARKER_DIR: markers, NX_AGENT_LANES_WORKTREES: worktreesRoot, CI: 'true' });
  const planFile = 'features/fx/feature.jsonc';
  let plan: string;

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-e2e-bad-input-'));
    markers = join(scratch, 'markers');
    worktreesRoot = join(scratch, 'worktrees');
    mkdirSync(markers);
    writeFileSync(join(markers, 'go'), ''); // the slow agent finishes at once
    ws = createScratchWorkspace('bad-input');
    addProject(ws, 'apps/api');
    addProject(ws, 'apps/web');
    ws.write('tools/slow-agent.js', readFileSync(join(__dirname, 'fixtures', 'slow-agent.js'), 'utf8'));
    ws.write('nx.json', JSON.stringify({ plugins: ['nx-agent-lanes'] }, null, 2));
    plan = JSON.stringify(
      {
        goal: 'Customers download orders as CSV',
        contract: 'contract.md',
        // Unsandboxed: the slow agent waits for and leaves markers outside the workspace, which a sandboxed lane cannot reach.
        sandbox: 'off',
        agent: { provider: 'command', command: 'node tools/slow-agent.js' },
        lanes: {
          api: { spec: 'lanes/api.md', owns: ['apps/api/src/**'], test: 'node apps/api/src/done.js' },
          web: { spec: 'lanes/web.md', owns: ['apps/web/src/**'], test: 'no-such-test-runner apps/web' },
        },
      },
      null,
      2,
    );
    ws.write(planFile, plan);
    ws.write('features/fx/contract.md', '# contract\n');
    ws.write('features/fx/lanes/api.md', '# api\n');
    ws.write('features/fx/lanes/web.md', '# web\n');
    ws.commitAll('plan fx');
  });

  afterAll(() => {
    ws?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Runs nx in `cwd` and checks the run changed nothing and printed no stack trace. */
  function runUnchanged(args: string[], cwd = ws.root): { status: number | null; output: string } {
    const before = fingerprintCheckout(cwd);
    const r: SpawnSyncReturns<string> = require('node:child_process').spawnSync(process.execPath, [join(cwd, 'node_modules', '.bin', 'nx'), ...args], {
      cwd,
      encoding: 'utf8',
      env: nxEnv(env()),
    });
    const output = `${r.stdout}\n${r.stderr}`;
    expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(fingerprintCheckout(cwd)).toBe(before);
    return { status: r.status, output };
  }

  /** Runs `fn` with the workspace's .git moved away, restoring it whatever happens. */
  function withoutGit<T>(fn: () => T): T {
    const away = join(scratch, 'dotgit');
    renameSync(join(ws.root, '.git'), away);
    try {
      return fn();
    } finally {
      rmSync(join(ws.root, '.git'), { recursive: true, force: true });
      renameSync(away, join(ws.root, '.git'));
    }
  }

  it('a workspace that is not a git repository', () => {
    const r = withoutGit(() => runUnchanged(['run', 'fx:lane--api']));
    expect(r.status).not.toBe(0);
    expect(r.output).toContain(`${ws.root} is not inside a git repository.`);
    expect(r.output).toContain('nx-agent-lanes runs each lane in a git worktree: run `git init` and commit your workspace');
  });

  it('a git repository with no commits', () => {
    const r = withoutGit(() => {
      execFileSync('git', ['init', '-q'], { cwd: ws.root });
      return runUnchanged(['run', 'fx:lane--api']);
    });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('has no commits yet, so the lanes have no base to start from. Commit your workspace first');
  });

  it('a shallow clone whose base was not fetched', () => {
    const first = ws.git(['rev-parse', 'HEAD']);
    ws.write('apps/api/src/index.ts', 'export const api = 2;\n');
    ws.commitAll('a second commit');
    const clone = join(scratch, 'shallow');
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${ws.root}`, clone]);
    symlinkSync(join(ws.root, 'node_modules'), join(clone, 'node_modules'), 'dir');
    writeFileSync(join(clone, planFile), plan.replace('"goal":', `"base": "${first}",\n  "goal":`));
    const r = runUnchanged(['run', 'fx:lane--api'], clone);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain(`The base "${first}" is not in this shallow clone`);
    expect(r.output).toContain('Run `git fetch --unshallow` (in CI, check out with fetch-depth: 0), or change "base" in feature.jsonc.');
  });

  it('a base that does not exist', () => {
    ws.write(planFile, plan.replace('"goal":', '"base": "release/9.9",\n  "goal":'));
    try {
      const r = runUnchanged(['run', 'fx:lane--api']);
      expect(r.status).not.toBe(0);
      expect(r.output).toContain(`The base "release/9.9" is not a commit in the repository at ${ws.root}. Fetch it (\`git fetch origin release/9.9\`) or change "base" in feature.jsonc.`);
    } finally {
      ws.write(planFile, plan);
    }
  });

  it('a spec that cannot be read (a folder where the file should be) is located in feature.jsonc', () => {
    const spec = join(ws.root, 'features/fx/lanes/api.md');
    renameSync(spec, join(scratch, 'api.md'));
    mkdirSync(spec);
    try {
      const r = runUnchanged(['run', 'fx:lane--api']);
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/features\/fx\/feature\.jsonc:\d+:\d+: The spec of lane `api` `features\/fx\/lanes\/api\.md` is a directory; point `lanes\.api\.spec` at a markdown file\./);
    } finally {
      rmSync(spec, { recursive: true });
      renameSync(join(scratch, 'api.md'), spec);
    }
  });

  it('a detached HEAD with uncommitted work: the lane runs from the commit and says what its agent does not see', () => {
    const head = ws.git(['rev-parse', 'HEAD']);
    ws.git(['checkout', '-q', '--detach']);
    ws.write('apps/api/src/index.ts', 'export const api = 3; // not committed\n');
    try {
      const r = runUnchanged(['run', 'fx:lane--api', '--skip-nx-cache']);
      expect(r.status).toBe(0);
      expect(r.output).toContain(
        `note: uncommitted changes to files this lane owns are not seen by its agent, which starts from commit ${head.slice(0, 10)}: apps/api/src/index.ts. Commit them first if they matter.`,
      );
      expect(JSON.parse(ws.read('dist/agent-lanes/fx/api/result.json'))).toMatchObject({ status: 'done', baseCommit: head });
    } finally {
      ws.git(['checkout', '-q', '--', 'apps/api/src/index.ts']);
      ws.git(['checkout', '-q', 'main']);
    }
  });

  it('a lane test command that does not exist: verify names exit 127, the shell line, and what to fix', () => {
    const r = runUnchanged(['run', 'fx:verify--web']);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(
      /\[verify web\] FAILED: tests `no-such-test-runner apps\/web` failed \(exit 127\): the shell could not find the command \(.*no-such-test-runner: .*not found\)\. Fix "test" in feature\.jsonc/,
    );
  });
});
