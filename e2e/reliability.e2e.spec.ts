import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintCheckout } from './utils/checkout-fingerprint';
import { addProject, BUILT_PACKAGE, createScratchWorkspace, nxEnv, type ScratchWorkspace } from './utils/scratch-workspace';
import { describePooledChanges } from './utils/pooled-worktrees';

/**
 * Reliability under a real Nx: interrupts, kill -9, secrets, two runs at once and budgets, with the
 * command provider running a slow scripted agent (e2e/fixtures/slow-agent.js) and the anthropic
 * provider running against the loopback Messages API server. The user's checkout holds an
 * uncommitted edit and an untracked file throughout, and must come out byte-identical.
 * Process checks read /proc (Linux), where a zombie counts as gone.
 */
describe('reliability under Nx', () => {
  let ws: ScratchWorkspace;
  let scratch: string;
  let worktreesRoot: string;
  let userCheckout: string;
  const laneNames = ['api', 'web'];

  const laneDir = (lane: string, feature = 'fx') => join(ws.root, 'dist/agent-lanes', feature, lane);
  const laneResult = (lane: string, feature = 'fx') => JSON.parse(readFileSync(join(laneDir(lane, feature), 'result.json'), 'utf8'));
  const newMarkerDir = (go = false) => {
    const dir = mkdtempSync(join(scratch, 'markers-'));
    if (go) writeFileSync(join(dir, 'go'), '');
    return dir;
  };
  const fxEnv = (markers: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    MARKER_DIR: markers,
    NX_AGENT_LANES_WORKTREES: worktreesRoot,
    CI: 'true',
    ...extra,
  });
  const integrateArgs = ['run', 'fx:integrate', '--parallel=4', '--skip-nx-cache'];

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-e2e-reliability-'));
    worktreesRoot = join(scratch, 'worktrees');
    ws = createScratchWorkspace('reliability');
    addProject(ws, 'apps/api');
    addProject(ws, 'apps/web');
    ws.write('tools/slow-agent.js', readFileSync(join(__dirname, 'fixtures', 'slow-agent.js'), 'utf8'));
    // Lane tests and the integration test print the secrets too: verify and integrate output must redact them.
    const printSecrets = "if (process.env.PRINT_SECRETS === '1') console.log(`checked with ${process.env.ANTHROPIC_API_KEY} ${process.env.EXPORT_TOKEN}`);\n";
    ws.write('tools/check-lane.js', `require('../apps/' + process.argv[2] + '/src/done.js');\n${printSecrets}`);
    ws.write('e2e/check.js', `for (const lane of ['api', 'web']) require('../apps/' + lane + '/src/done.js');\n${printSecrets}`);
    ws.write('nx.json', JSON.stringify({ plugins: ['nx-agent-lanes'] }, null, 2));
    writePlan(ws, 'fx', {
      goal: 'Customers download orders as CSV',
      contract: 'contract.md',
      // Unsandboxed: the slow agent waits for and leaves markers outside the workspace, which a sandboxed lane cannot reach.
      sandbox: 'off',
      agent: { provider: 'command', command: 'node tools/slow-agent.js' },
      lanes: Object.fromEntries(
        laneNames.map((lane) => [lane, { spec: `lanes/${lane}.md`, owns: [`apps/${lane}/src/**`], test: `node tools/check-lane.js ${lane}` }]),
      ),
      integration: { test: 'node e2e/check.js' },
      secrets: ['EXPORT_TOKEN'],
    });
    writePlan(ws, 'bx', {
      goal: 'Budgets stop runaway agents',
      contract: 'contract.md',
      // Feature-level limits apply to every lane; looper overrides maxTurns for itself.
      agent: { provider: 'anthropic', model: 'claude-sonnet-4-6', budgetUsd: 0.02, maxTurns: 40, prices: { 'claude-sonnet-4-6': { input: 3, output: 15 } } },
      lanes: {
        spender: { spec: 'lanes/spender.md', owns: ['libs/spender/**'], test: 'node -e 0' },
        looper: { spec: 'lanes/looper.md', owns: ['libs/looper/**'], test: 'node -e 0', agent: { maxTurns: 2, budgetUsd: 100 } },
      },
    });
    ws.commitAll('plans fx and bx');
    // The user's own work in progress, which no run may touch: an edit to a file a lane owns, and an untracked file.
    ws.write('apps/api/src/index.ts', 'export const api = 2; // not committed yet\n');
    ws.write('notes/todo.txt', 'my notes, untracked\n');
    userCheckout = fingerprintCheckout(ws.root);
  });

  afterEach(() => {
    // Whatever a test did, the user's checkout is as it was.
    expect(fingerprintCheckout(ws.root)).toBe(userCheckout);
  });

  afterAll(() => {
    ws?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** No lane worktree, no lane branch, no lock and no file in the worktrees folder is left behind; the pool holds only clean worktrees. */
  function expectNothingLeft(): void {
    const pool = join(worktreesRoot, '.pool');
    expect(ws.git(['worktree', 'list', '--porcelain']).split('\n').filter((l) => l.startsWith('worktree ') && !l.startsWith(`worktree ${pool}/`))).toEqual([`worktree ${ws.root}`]);
    for (const changes of Object.values(describePooledChanges(ws))) expect(changes).toBe('');
    expect(ws.git(['branch', '--list', 'agent-lanes/*'])).toBe('');
    const locks = join(ws.root, '.git', 'nx-agent-lanes', 'locks');
    expect(existsSync(locks) ? readdirSync(locks) : []).toEqual([]);
    expect(listFiles(worktreesRoot).filter((f) => !statSync(f).isDirectory() && !f.startsWith(`${pool}/`))).toEqual([]);
  }

  describe('secrets', () => {
    const key = `fake-key-marker-${randomBytes(8).toString('hex')}`;
    const token = `tok-marker-${randomBytes(8).toString('hex')}`;
    const secretEnv = { ANTHROPIC_API_KEY: key, EXPORT_TOKEN: token, PRINT_SECRETS: '1' };

    /** Every place a run can leave text: the workspace (dist, .nx cache, .git), git's object store, the worktrees root, the terminal. */
    function expectNoSecretAnywhere(terminal: string): void {
      const places: Array<[string, string]> = [['terminal', terminal]];
      for (const file of [...listFiles(ws.root, ['node_modules']), ...listFiles(worktreesRoot)]) {
        if (statSync(file).isFile()) places.push([file, readFileSync(file, 'latin1')]);
      }
      places.push(['git objects', execFileSync('git', ['cat-file', '--batch-all-objects', '--batch'], { cwd: ws.root, encoding: 'latin1', maxBuffer: 256 * 1024 * 1024 })]);
      const leaks = places.filter(([, text]) => text.includes(key) || text.includes(token)).map(([where]) => where);
      expect(leaks).toEqual([]);
    }

    it('never gives an agent or a test ANTHROPIC_API_KEY, and never writes it or a declared secret to artifacts, the Nx cache, git or the terminal', () => {
      const r = ws.nx(['run', 'fx:integrate', '--parallel=4'], { env: fxEnv(newMarkerDir(true), secretEnv), allowFailure: true });
      const terminal = `${r.stdout}\n${r.stderr}`;
      expect(r.status).toBe(0);
      // The agent printed both values it was given: the key is the proxy's placeholder, the declared secret is redacted.
      expect(terminal).toContain('key=nx-agent-lanes-proxy-placeholder token=[redacted EXPORT_TOKEN]');
      expect(terminal).toContain('summary: api finished with nx-agent-lanes-proxy-placeholder and [redacted EXPORT_TOKEN]');
      expect(readFileSync(join(laneDir('api'), 'transcript.jsonl'), 'utf8')).toContain('stderr also has nx-agent-lanes-proxy-placeholder');
      // The lane tests and the integration test get no key at all.
      expect(terminal).toContain('[verify api] checked with undefined [redacted EXPORT_TOKEN]');
      expect(terminal).toContain('[integrate] checked with undefined [redacted EXPORT_TOKEN]');
      // Nx keeps its local cache in .nx/cache (outputs and terminal output per task hash): it was written, and scanned.
      expect(readdirSync(join(ws.root, '.nx', 'cache', 'terminalOutputs')).length).toBeGreaterThanOrEqual(4);
      expectNoSecretAnywhere(terminal);
    });

    it('fails a lane whose agent wrote a secret into its own file, keeps its other work, and still writes the value nowhere', () => {
      const r = ws.nx(['run', 'fx:lane--web', '--skip-nx-cache'], { env: fxEnv(newMarkerDir(true), { ...secretEnv, WRITE_SECRET: 'web' }), allowFailure: true });
      const terminal = `${r.stdout}\n${r.stderr}`;
      expect(r.status).not.toBe(0);
      expect(terminal).toContain('the agent wrote a secret value into apps/web/src/config.js (EXPORT_TOKEN); left out of lane.patch');
      const result = laneResult('web');
      expect(result.status).toBe('failed');
      expect(result.filesChanged.map((f: { path: string }) => f.path).sort()).toEqual(['apps/web/src/done.js', 'apps/web/src/partial.js']);
      expectNoSecretAnywhere(terminal);
      expectNothingLeft();
    });
  });

  describe('interrupts', () => {
    it.each(['SIGINT', 'SIGTERM'] as const)(
      '%s to nx mid-lane stops the agents and their children, keeps transcript and partial patch, and leaves nothing behind',
      async (signal) => {
        const run = startNx(ws, integrateArgs, fxEnv(newMarkerDir()));
        const agents = await waitForAgents(run, laneNames);
        expect(agents.every((a) => isRunning(a.pid) && isRunning(a.childPid))).toBe(true);
        process.kill(-run.pid, signal);
        const exit = await run.exited;
        await waitFor(() => groupMembers(run.pid).length === 0, 30_000, 'nx and its executors to exit');
        await waitFor(() => agents.every((a) => !isRunning(a.pid) && !isRunning(a.childPid)), 10_000, 'the agents to stop');
        expect(exit.code).not.toBe(0);
        for (const lane of laneNames) {
          expect(laneResult(lane)).toMatchObject({ status: 'failed', reason: 'interrupted', filesChanged: [{ path: `apps/${lane}/src/partial.js`, status: 'added' }] });
          expect(readFileSync(join(laneDir(lane), 'lane.patch'), 'utf8')).toContain(`+// partial work of the ${lane} lane`);
          const transcript = readFileSync(join(laneDir(lane), 'transcript.jsonl'), 'utf8');
          expect(transcript).toContain('"type":"agent-start"');
          expect(transcript).toContain('"reason":"interrupted"');
        }
        expectNothingLeft();
      },
    );

    it('after kill -9 of nx, the next run stops the orphaned agents, prunes what was left, and completes', async () => {
      const run = startNx(ws, integrateArgs, fxEnv(newMarkerDir()));
      const agents = await waitForAgents(run, laneNames);
      process.kill(-run.pid, 'SIGKILL');
      await run.exited;
      await waitFor(() => groupMembers(run.pid).length === 0, 10_000, 'nx and its executors to die');
      // What kill -9 leaves: agents in their own process groups, still running; locked worktrees, branches, locks.
      expect(agents.every((a) => isRunning(a.pid) && isRunning(a.childPid))).toBe(true);
      expect(ws.git(['worktree', 'list']).split('\n')).toHaveLength(3);
      expect(readdirSync(join(ws.root, '.git', 'nx-agent-lanes', 'locks')).sort()).toEqual(['fx--lane--api.lock', 'fx--lane--web.lock']);

      const next = ws.nx(integrateArgs, { env: fxEnv(newMarkerDir(true)), allowFailure: true });
      expect(next.status).toBe(0);
      expect(next.stdout).toContain('pruned a stale worktree or branch left by an interrupted run');
      expect(agents.filter((a) => isRunning(a.pid) || isRunning(a.childPid))).toEqual([]);
      for (const lane of laneNames) expect(laneResult(lane).status).toBe('done');
      expect(ws.git(['show', '--name-only', '--format=', 'lanes/fx~1', 'lanes/fx']).split('\n').filter(Boolean).sort()).toEqual(
        ['apps/api/src/done.js', 'apps/api/src/partial.js', 'apps/web/src/done.js', 'apps/web/src/partial.js'],
      );
      expectNothingLeft();
    });
  });

  it('a second run of the same feature fails fast with a clear message and disturbs neither the first nor git', async () => {
    const first = startNx(ws, integrateArgs, fxEnv(newMarkerDir()));
    const firstMarkers = first.env.MARKER_DIR!;
    const agents = await waitForAgents(first, laneNames);
    const second = ws.nx(integrateArgs, { env: fxEnv(newMarkerDir(true)), allowFailure: true });
    expect(second.status).not.toBe(0);
    // The holder is named by pid and start time, so a reused pid is not taken for it.
    expect(second.stdout + second.stderr).toMatch(
      /fx:lane--(api|web) is already running in this repository \(pid \d+, since [^,)]+, process started at tick \d+ after boot\)\.\nWait for that run to finish, or stop it; nothing was changed by this one\./,
    );
    // The first run's agents and worktrees were left alone.
    expect(agents.every((a) => isRunning(a.pid))).toBe(true);
    expect(ws.git(['worktree', 'list']).split('\n')).toHaveLength(3);
    writeFileSync(join(firstMarkers, 'go'), '');
    const exit = await first.exited;
    expect(exit.code).toBe(0);
    for (const lane of laneNames) {
      expect(laneResult(lane)).toMatchObject({ status: 'done' });
      expect(readFileSync(join(laneDir(lane), 'lane.patch'), 'utf8')).toContain(`+exports.lane = '${lane}';`);
    }
    expect(JSON.parse(readFileSync(join(ws.root, 'dist/agent-lanes/fx/integration/result.json'), 'utf8')).outcome).toBe('green');
    expectNothingLeft();
  });

  it('feature- and lane-level budgets stop runaway anthropic agents as over-budget, within one request, and the report shows the spend', async () => {
    const { startMessagesApiServer } = require(join(BUILT_PACKAGE, 'src/replay/messages-api-server.js'));
    const { priceUsage } = require(join(BUILT_PACKAGE, 'src/agents/anthropic/pricing.js'));
    const endless = Array.from({ length: 60 }, (_, i) => ({ content: [{ type: 'tool_use', name: 'list_files', input: { glob: `libs/**/${i}` } }] }));
    const server = await startMessagesApiServer({
      script: { sessions: ['spender', 'looper'].map((name) => ({ name, match: { contains: `SESSION: ${name}` }, turns: endless })) },
    });
    try {
      const env = { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'sk-dummy-replay-key', NX_AGENT_LANES_WORKTREES: worktreesRoot, CI: 'true' };
      // Not ws.nx: spawnSync would block this process, and with it the server the agents talk to.
      const run = startNx(ws, ['run', 'bx:integrate', '--parallel=2'], env);
      expect((await run.exited).code).not.toBe(0);
      const terminal = run.output();
      expect(terminal).toMatch(/\[spender\] OVER BUDGET: spent \$0\.0\d+ of the \$0\.02 budget \(agent\.budgetUsd\)/);
      expect(terminal).toContain('[looper] OVER BUDGET: reached the limit of 2 turns (agent.maxTurns)');

      const prices = { 'claude-sonnet-4-6': { input: 3, output: 15 } };
      const spender = laneResult('spender', 'bx');
      const costs = readFileSync(join(laneDir('spender', 'bx'), 'transcript.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((e) => e.type === 'response')
        .map((e) => priceUsage('claude-sonnet-4-6', { input: e.usage.input_tokens, output: e.usage.output_tokens, cacheRead: e.usage.cache_read_input_tokens ?? 0, cacheWrite: e.usage.cache_creation_input_tokens ?? 0 }, prices));
      expect(spender.status).toBe('over-budget');
      expect(costs).toHaveLength(spender.turns);
      expect(spender.turns).toBeGreaterThan(1);
      expect(spender.costUsd).toBeGreaterThanOrEqual(0.02);
      expect(spender.costUsd - costs[costs.length - 1]).toBeLessThan(0.02); // it stopped at the first request past the budget
      expect(laneResult('looper', 'bx')).toMatchObject({ status: 'over-budget', turns: 2 });
      expect(server.stats().bySession).toEqual({ spender: spender.turns, looper: 2 });

      // Integrate alone (its lanes are not ready) still writes the report, with each lane's spend.
      await startNx(ws, ['run', 'bx:integrate', '--excludeTaskDependencies'], env).exited;
      const report = readFileSync(join(ws.root, 'dist/agent-lanes/bx/integration/report.md'), 'utf8');
      expect(report).toMatch(new RegExp(`\\| spender \\| over-budget[^|]*\\|.*\\| ${spender.turns} \\|.*\\| \\$${spender.costUsd.toFixed(2)}`));
      expect(report).toMatch(/\| looper \| over-budget[^|]*\|.*\| 2 \|/);
      expectNothingLeft();
    } finally {
      await server.close();
    }
  });
});

/** Writes features/<name>/{feature.jsonc, contract.md, lanes/*.md}; each spec names its replay session. */
function writePlan(ws: ScratchWorkspace, name: string, plan: { lanes: Record<string, unknown> } & Record<string, unknown>): void {
  ws.write(`features/${name}/feature.jsonc`, `// written by the reliability e2e test\n${JSON.stringify(plan, null, 2)}\n`);
  ws.write(`features/${name}/contract.md`, `# ${name} contract\n`);
  for (const lane of Object.keys(plan.lanes)) ws.write(`features/${name}/lanes/${lane}.md`, `# ${lane}\nSESSION: ${lane}\n`);
}

interface NxRun {
  pid: number;
  env: NodeJS.ProcessEnv;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** nx in the background, leading its own process group as it would in a terminal. */
function startNx(ws: ScratchWorkspace, args: string[], env: NodeJS.ProcessEnv): NxRun {
  const child = spawn(process.execPath, [join(ws.root, 'node_modules', '.bin', 'nx'), ...args], {
    cwd: ws.root,
    env: nxEnv(env),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { pid: child.pid!, env, output: () => output, exited };
}

/** Waits until every lane's agent has written its pids (so it is mid-lane, with partial work written). */
async function waitForAgents(run: NxRun, lanes: string[]): Promise<Array<{ lane: string; pid: number; childPid: number }>> {
  const file = (lane: string) => join(run.env.MARKER_DIR!, `${lane}.json`);
  await waitFor(() => lanes.every((lane) => existsSync(file(lane))), 60_000, `agents of ${lanes.join(', ')} to start`, run);
  await waitFor(() => lanes.every((lane) => readFileSync(file(lane), 'utf8').endsWith('}')), 5_000, 'agents to record their pids', run);
  return lanes.map((lane) => ({ lane, ...JSON.parse(readFileSync(file(lane), 'utf8')) }));
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string, run?: NxRun): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${run ? `; nx said:\n${run.output()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** pid, state and process group of a process, from /proc; undefined when it is gone. */
function readStat(pid: string | number): { state: string; pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** Live members of a process group. */
function groupMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      const stat = readStat(name);
      return stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X';
    })
    .map(Number);
}

/** Every file and folder below `dir`, skipping folders named in `skip`; [] when `dir` does not exist. */
function listFiles(dir: string, skip: string[] = []): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.includes(entry.name)) continue;
    const full = join(dir, entry.name);
    out.push(full);
    if (entry.isDirectory()) out.push(...listFiles(full, skip));
  }
  return out;
}
