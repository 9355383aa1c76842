import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as story from '../tools/demo/export-story';
import type { Observation, Story, StoryStep } from '../tools/demo/export-story';
import { createStoryWorkspace, type NxRun, type StoryWorkspace } from '../tools/demo/story-workspace';
import { prepareMatrixInstall, selectMatrix, type MatrixInstall } from './utils/nx-matrix';
import { createScratchWorkspace, type ScratchWorkspace } from './utils/scratch-workspace';

/**
 * The plugin under each Nx version of the matrix (e2e/utils/nx-matrix.ts; NX_MATRIX picks a
 * subset), each on a Node that version supports: it loads and infers the feature's targets, nx
 * and its tasks run on that Node, nothing nx prints says "deprecated", and the core of the
 * export story holds (one lane blocks, the others finish; after the answer only that lane's
 * agent runs, then integrate). Installs come from a per-machine cache, so a rerun installs
 * nothing; each entry gets its own workspace copied from it.
 */
const MATRIX = selectMatrix();

describe.each(MATRIX.map((entry) => [`nx@${entry.nx} on Node ${entry.node}`, entry] as const))('%s', (_label, entry) => {
  let install: MatrixInstall;
  let ctx: Story;
  const runs: Array<{ command: string; output: string }> = [];
  let runsChecked = 0;

  /** A story step whose `check` must be empty; when it is not, the failure carries nx's output. */
  const play = async (id: StoryStep['id']): Promise<Observation> => {
    const step = story.STEPS.find((s) => s.id === id)!;
    const o = await step.run(ctx);
    const problems = step.check(o);
    expect({ step: id, problems, ...(problems.length ? describeNxFailure(o.output) : {}) }).toEqual({ step: id, problems: [] });
    return o;
  };

  beforeAll(async () => {
    install = prepareMatrixInstall(entry, { log: (line) => console.log(`nx@${entry.nx}: ${line}`) });
    const ws = createStoryWorkspace({
      nxVersion: entry.nx,
      install: install.dir,
      nodeBinary: install.nodeBinary,
      prefix: `nx-agent-lanes-e2e-matrix-${entry.nx}-`,
    });
    recordRuns(ws, runs);
    // A task that reports the `node` Nx's tasks get; nx:run-commands is in every Nx version.
    mkdirSync(ws.path('tools/node-probe'), { recursive: true });
    writeFileSync(
      ws.path('tools/node-probe/project.json'),
      JSON.stringify({ name: 'node-probe', targets: { 'node-version': { executor: 'nx:run-commands', options: { command: 'node -p process.version' } } } }),
    );
    const replay = await story.startReplayBackend();
    ctx = { ws, server: replay.server, agentEnv: replay.env };
    await story.prepareStory(ctx);
  });

  afterAll(async () => {
    await ctx?.server?.close();
    ctx?.ws.dispose();
  });

  // Every test, including the setup's `nx g nx-agent-lanes:init` for the first one.
  afterEach(() => {
    const fresh = runs.slice(runsChecked);
    runsChecked = runs.length;
    expect(findDeprecatedLines(fresh)).toEqual([]);
  });

  it('installs nx and @nx/* on one version', () => {
    expect(ctx.ws.readJson('node_modules/nx/package.json').version).toBe(entry.nx);
    const nxScope = ctx.ws.path('node_modules/@nx');
    const versions = Object.fromEntries(readdirSync(nxScope).map((name) => [name, ctx.ws.readJson(`node_modules/@nx/${name}/package.json`).version]));
    // devkitVersion differs from entry.nx only where Nx published no @nx/devkit at entry.nx.
    const expected = Object.fromEntries(Object.keys(versions).map((name) => [name, name === 'devkit' ? install.devkitVersion : entry.nx]));
    expect(versions).toEqual(expected);
  });

  it('loads the plugin: nx show project lists the lane, verify and integrate targets', async () => {
    // The step's own check names the targets every lane must have.
    await play('plan');
  });

  it(`runs nx, and the tasks it starts, on Node ${entry.node}`, async () => {
    expect(install.nodeVersion.startsWith(`v${entry.node}`)).toBe(true);
    const report = await ctx.ws.nx(['report']);
    expect({ status: report.status, node: /Node\s+:\s+(\S+)/.exec(story.stripAnsi(report.output))?.[1] }).toEqual({
      status: 0,
      node: install.nodeVersion.slice(1),
    });
    const probe = await ctx.ws.nx(['run', 'node-probe:node-version']);
    expect({ status: probe.status, printed: probe.output.includes(install.nodeVersion) }).toEqual({ status: 0, printed: true });
  });

  it('blocks one lane while the others finish; after the answer only that lane reruns, then integrate', async () => {
    const launch = await play('launch');
    expect(launch.results['export-logic'].status).toBe('blocked');
    await play('answer');
    const resume = await play('resume');
    expect(lanesThatCalledTheModel(resume)).toEqual(['export-logic']);
    // The story's seam bug: integrate merged all four lanes and ran the integration test on them.
    expect(resume.integration!.report.outcome).toBe('integration-test-failed');
  });

  /**
   * The cache table: which edit reruns which lanes' agents. Rows run on a plan of three lanes
   * whose agent is e2e/fixtures/scripted-agent.js (command provider), in the sandbox; a lane ran
   * when its result.json has a new start time. A row is an edit through `cacheWorkspace()`, then
   * `expectAgentRuns({ <lane>: 1, ... })`. Rows share the workspace, in order: the first one
   * sees every lane run.
   */
  describe('cache table', () => {
    let ws: ScratchWorkspace | undefined;
    let scratch: string | undefined;
    const FEATURE_DIR = 'features/export-feature';
    const OWNS: Record<string, string> = { api: 'apps/api/src/export.js', logic: 'libs/export/src/csv.js', docs: 'docs/export.md' };

    /** Made by the first row that asks: Jest runs a describe's beforeAll even when all it holds is todos. */
    const cacheWorkspace = (): ScratchWorkspace => {
      if (ws) return ws;
      scratch = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-e2e-matrix-log-'));
      ws = createScratchWorkspace(`matrix-cache-${entry.nx}`, { nxVersion: entry.nx, install: install.dir, nodeBinary: install.nodeBinary });
      const nx = ws.nx.bind(ws);
      ws.nx = (args, options) => {
        const run = nx(args, options);
        runs.push({ command: `nx ${args.join(' ')}`, output: `${run.stdout}${run.stderr}` });
        return run;
      };
      ws.write('tools/scripted-agent.js', readFileSync(join(__dirname, 'fixtures', 'scripted-agent.js'), 'utf8'));
      ws.write(`${FEATURE_DIR}/contract.md`, '# Contract\n\ntoCsv(rows) returns CSV text.\n');
      for (const lane of Object.keys(OWNS)) ws.write(`${FEATURE_DIR}/lanes/${lane}.md`, `# ${lane}\n\nWrite ${OWNS[lane]}.\n`);
      ws.write(`${FEATURE_DIR}/feature.jsonc`, JSON.stringify(reducedPlan(OWNS), null, 2));
      ws.write(OWNS.docs, '# Export\n');
      ws.nx(['g', 'nx-agent-lanes:init']);
      ws.commitAll('plan export-feature');
      return ws;
    };

    /**
     * Runs integrate and expects exactly these agent runs per lane ({} when every lane comes from
     * cache); a mismatch shows nx's output.
     */
    const expectAgentRuns = async (expected: Record<string, number>) => {
      const workspace = cacheWorkspace();
      let output = '';
      const before = laneStarts(workspace.root);
      const run = workspace.nx(['run', `${story.FEATURE}:integrate`], {
        allowFailure: true,
        env: { AGENT_SCRIPT: JSON.stringify(agentScript(OWNS)), AGENT_SLEEP_MS: '200', CI: 'true' },
      });
      output = `${run.stdout}${run.stderr}`;
      const after = laneStarts(workspace.root);
      const ran = Object.fromEntries(Object.keys(after).filter((lane) => after[lane] !== before[lane]).map((lane) => [lane, 1]));
      const same = JSON.stringify(Object.entries(ran).sort()) === JSON.stringify(Object.entries(expected).sort());
      expect({ ran, ...(same ? {} : describeNxFailure(output)) }).toEqual({ ran: expected });
    };

    afterAll(() => {
      ws?.dispose();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    });

    const edit = (path: string, content: string) => {
      cacheWorkspace().write(path, content);
      cacheWorkspace().commitAll(`edit ${path}`);
    };
    const editPlan = (change: (plan: any) => void) => {
      const plan = JSON.parse(cacheWorkspace().read(`${FEATURE_DIR}/feature.jsonc`));
      change(plan);
      edit(`${FEATURE_DIR}/feature.jsonc`, JSON.stringify(plan, null, 2));
    };

    it('runs every lane the first time, and nothing when nothing changed', async () => {
      await expectAgentRuns({ api: 1, logic: 1, docs: 1 });
      await expectAgentRuns({});
    });

    it("reruns only the lane whose spec, plan entry or notes changed", async () => {
      edit(`${FEATURE_DIR}/lanes/api.md`, '# api\n\nWrite apps/api/src/export.js, with a header row.\n');
      await expectAgentRuns({ api: 1 });
      editPlan((plan) => (plan.lanes.logic.test = 'node -e "process.exit(0)"'));
      await expectAgentRuns({ logic: 1 });
      edit(`${FEATURE_DIR}/notes/docs.jsonc`, JSON.stringify({ answers: [], feedback: [{ message: 'Name the columns' }] }));
      await expectAgentRuns({ docs: 1 });
    });

    it('reruns only the lane that owns a file changed at the base, and none for unrelated code or an uncommitted edit', async () => {
      edit(OWNS.docs, '# Export\n\nEdited at the base.\n');
      await expectAgentRuns({ docs: 1 });
      edit('apps/other/src/unrelated.js', 'module.exports = 1;\n');
      await expectAgentRuns({});
      cacheWorkspace().write(OWNS.api, '// uncommitted\n');
      await expectAgentRuns({});
      cacheWorkspace().git(['checkout', '--', '.']);
      cacheWorkspace().git(['clean', '-fdq', 'apps/api']);
    });

    it('reruns every lane when the contract or a feature-level setting changes', async () => {
      edit(`${FEATURE_DIR}/contract.md`, '# Contract\n\ntoCsv(rows, { header }) returns CSV text.\n');
      await expectAgentRuns({ api: 1, logic: 1, docs: 1 });
      editPlan((plan) => (plan.goal = 'Customers download orders and invoices as CSV'));
      await expectAgentRuns({ api: 1, logic: 1, docs: 1 });
      editPlan((plan) => (plan.agent.budgetUsd = 1));
      await expectAgentRuns({ api: 1, logic: 1, docs: 1 });
    });

    it('runs only a new lane', async () => {
      edit(`${FEATURE_DIR}/lanes/web.md`, '# web\n\nWrite apps/web/src/export.js.\n');
      OWNS.web = 'apps/web/src/export.js';
      editPlan((plan) => (plan.lanes.web = { spec: 'lanes/web.md', owns: [OWNS.web], test: 'node -e 0' }));
      await expectAgentRuns({ web: 1 });
      await expectAgentRuns({});
    });
  });
});

/** Each lane's result.json start time: a cache hit restores the same one, a run writes a new one. */
function laneStarts(root: string): Record<string, string> {
  const dir = join(root, 'dist/agent-lanes', story.FEATURE);
  let lanes: string[] = [];
  try {
    lanes = readdirSync(dir);
  } catch {
    return {};
  }
  const starts: Record<string, string> = {};
  for (const lane of lanes) {
    try {
      starts[lane] = (JSON.parse(readFileSync(join(dir, lane, 'result.json'), 'utf8')) as { startedAt: string }).startedAt;
    } catch {
      // Not a lane folder, or no result yet.
    }
  }
  return starts;
}

/** The reduced plan of the cache table: one owned file and a trivial test per lane. */
function reducedPlan(owns: Record<string, string>) {
  return {
    goal: 'Customers download orders as CSV',
    contract: 'contract.md',
    agent: { provider: 'command', command: 'node tools/scripted-agent.js' },
    lanes: Object.fromEntries(Object.entries(owns).map(([lane, file]) => [lane, { spec: `lanes/${lane}.md`, owns: [file], test: 'node -e 0' }])),
    review: { risky: [] },
  };
}

/** What scripted-agent.js writes per lane: its owned file, naming the lane. */
function agentScript(owns: Record<string, string>) {
  return Object.fromEntries(Object.entries(owns).map(([lane, file]) => [lane, { files: { [file]: `// written by the ${lane} lane\n` } }]));
}

/** Lanes whose agent sent the replay server a request during one story step (sessions are `<lane>` or `<lane>-<round>`). */
function lanesThatCalledTheModel(o: Observation): string[] {
  return story.LANES.filter((lane) => Object.keys(o.requests).some((s) => s === lane || s.startsWith(`${lane}-`)));
}

/** Keeps every nx command's output, for the deprecation check. */
function recordRuns(ws: StoryWorkspace, runs: Array<{ command: string; output: string }>): void {
  const nx = ws.nx.bind(ws);
  ws.nx = async (args, options): Promise<NxRun> => {
    const run = await nx(args, options);
    runs.push({ command: `nx ${args.join(' ')}`, output: run.output });
    return run;
  };
}

/** Each line that says "deprecated", with the command that printed it. */
function findDeprecatedLines(runs: Array<{ command: string; output: string }>): string[] {
  return runs.flatMap(({ command, output }) =>
    story
      .stripAnsi(output)
      .split('\n')
      .filter((line) => /deprecated/i.test(line))
      .map((line) => `${command}: ${line.trim()}`),
  );
}

/**
 * What a failed expectation shows of nx's output, without colours: every line that reads like an
 * error (a task's error can be far above the end), then the end, where nx's summary is.
 */
function describeNxFailure(output: string): { nxErrors: string[]; nxOutputEnd: string } {
  const lines = story.stripAnsi(output).split('\n');
  const cut = (line: string) => (line.length > 400 ? `${line.slice(0, 400)}…` : line);
  const errors = [...new Set(lines.filter((line) => /error|fatal|failed|cannot|exception/i.test(line) && !line.includes('✔')).map((line) => cut(line.trim())))];
  return { nxErrors: errors.slice(0, 30), nxOutputEnd: lines.slice(-60).map(cut).join('\n') };
}
