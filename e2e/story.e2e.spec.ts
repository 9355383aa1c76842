import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as story from '../tools/demo/export-story';
import type { Observation, Story, StoryStep } from '../tools/demo/export-story';
import { createStoryWorkspace, REPO_ROOT, type StoryWorkspace } from '../tools/demo/story-workspace';

// The anthropic story's workspace, kept until both stories ran: the claude-code one copies its packages.
let anthropicWs: StoryWorkspace | undefined;

afterAll(() => {
  // KEEP_STORY_WORKSPACE=1 keeps the workspaces and their dist/demo-logs for a person to read.
  if (!process.env.KEEP_STORY_WORKSPACE) anthropicWs?.dispose();
});

/**
 * The export story of `npm run demo`, as assertions, through the demo's own steps: the fixture
 * SaaS workspace, the plugin installed from its packed tarball, four anthropic-provider lanes
 * answered by the built package's replay server, and the real nx CLI. Each step's own `check`
 * (what the demo enforces) must be empty, and each test asserts the facts behind it directly.
 */
describe('the export story (npm run demo)', () => {
  let ctx: Story;
  const step = (id: StoryStep['id']) => story.STEPS.find((s) => s.id === id)!;
  const play = async (id: StoryStep['id']): Promise<Observation> => {
    const o = await step(id).run(ctx);
    expect(step(id).check(o)).toEqual([]);
    return o;
  };
  const artifacts = (lane: string) => `dist/agent-lanes/${story.FEATURE}/${lane}`;
  const transcriptEvents = (lane: string): Array<Record<string, any>> =>
    ctx.ws
      .read(`${artifacts(lane)}/transcript.jsonl`)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
  const testResults = (lane: string) =>
    transcriptEvents(lane)
      .filter((e) => e.type === 'tool_result' && e.name === 'run_tests')
      .map((e) => (String(e.content).startsWith('Tests passed') ? 'passed' : 'failed'));

  beforeAll(async () => {
    const ws = (anthropicWs = createStoryWorkspace({ prefix: 'nx-agent-lanes-e2e-story-' }));
    const replay = await story.startReplayBackend();
    ctx = { ws, server: replay.server, agentEnv: replay.env };
    await story.prepareStory(ctx);
  });

  afterAll(async () => {
    await ctx?.server?.close();
    if (process.env.KEEP_STORY_WORKSPACE) console.log(`story workspace kept at ${ctx?.ws.root}`);
  });

  it('replays a script generated from tools/demo/solution, committed up to date', () => {
    const check = spawnSync(process.execPath, [join(REPO_ROOT, 'tools', 'demo', 'build-replay.mjs'), '--check'], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it("starts from a workspace whose own tests pass, and infers the feature's targets", async () => {
    expect((await play('template-tests')).status).toBe(0);
    const plan = await play('plan');
    expect(plan.targets).toEqual(expect.arrayContaining(['lane--backend', 'verify--docs', 'integrate']));
  });

  it('runs the four lanes at once; export-logic blocks on the UTC question while the others finish', async () => {
    const o = await play('launch');
    expect(o.status).not.toBe(0);
    expect(o.results['export-logic']).toMatchObject({ status: 'blocked', question: expect.stringContaining('UTC or in the customer') });
    for (const lane of ['backend', 'frontend', 'docs']) {
      expect(o.results[lane].status).toBe('done');
      expect(ctx.ws.readJson(`${artifacts(lane)}/verify.json`).passed).toBe(true);
    }
    // Every pair of lanes ran at the same time.
    for (const a of story.LANES) {
      for (const b of story.LANES) {
        if (a !== b) expect(Date.parse(o.results[a].startedAt)).toBeLessThan(Date.parse(o.results[b].endedAt));
      }
    }
    expect(o.requests).toEqual({ backend: 6, 'export-logic': 2, frontend: 5, docs: 4 });
    expect(ctx.server!.stats().unmatched).toBe(0);
    expect(ctx.ws.git(['branch', '--list', `lanes/${story.FEATURE}`])).toBe('');
  });

  it('after the answer reruns only export-logic, resuming its conversation; the integration test catches the content type', async () => {
    await play('answer');
    const o = await play('resume');
    // Only export-logic called the model, continuing at turn index 2 of the same session.
    expect(o.requests).toEqual({ 'export-logic': 6 });
    expect(o.resumed).toMatchObject({ status: 'done', startedFrom: 'resumed-transcript' });
    expect(transcriptEvents('export-logic').find((e) => e.type === 'response')?.content).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'tool_use', id: 'toolu_export-logic_2_1' })]),
    );
    // Its first test run failed (unescaped quotes), the fix made it pass: the scripted claims are true.
    expect(testResults('export-logic')).toEqual(['failed', 'passed']);
    // Its turns go on from the two before the blocker, as the proxy counts them against maxTurns.
    const turnLines = story.stripAnsi(o.output).split('\n').filter((l) => /^\[export-logic\] turn \d+\//.test(l));
    expect(turnLines[0]).toMatch(/^\[export-logic\] turn 3\/20 /);
    expect(o.resumed).toMatchObject({ turns: 8 });
    expect(o.resumed.attempts.map((a: any) => [a.outcome, a.startedFrom, a.turns])).toEqual([
      ['blocked', 'fresh', 2],
      ['done', 'resumed-transcript', 6],
    ]);
    // Every other lane, and its verification, came from the Nx cache.
    expect(o.cached).toEqual(['lane--backend', 'lane--docs', 'lane--frontend', 'verify--backend', 'verify--docs', 'verify--frontend']);
    expect(o.output).toMatch(/export-feature\/backend:agent\S*\s+\S*\[local cache\]/);
    // Both sides of the seam passed their own tests; the merged tree does not.
    const report = o.integration!.report;
    expect(report.outcome).toBe('integration-test-failed');
    expect(story.stripAnsi(report.integration.outputTail)).toContain('Expected a CSV file, but the server sent text/csv; charset=utf-8');
    expect(report.nextSteps.join('\n')).toContain(`nx g nx-agent-lanes:feedback ${story.FEATURE} --lane frontend`);
    expect(ctx.ws.git(['branch', '--list', `lanes/${story.FEATURE}`])).toBe('');
  });

  it('after one line of feedback runs exactly one agent (frontend) and goes green with one commit per lane', async () => {
    const head = ctx.ws.git(['rev-parse', 'HEAD']);
    await play('feedback');
    const o = await play('fix');
    expect(o.status).toBe(0);
    expect(o.requests).toEqual({ 'frontend-feedback': 4 });
    expect(o.fixed).toMatchObject({ status: 'done', startedFrom: 'previous-patch' });
    expect(o.cached).toEqual(['lane--backend', 'lane--docs', 'lane--export-logic', 'verify--backend', 'verify--docs', 'verify--export-logic']);
    expect(o.commits).toEqual([
      'export-feature: docs lane',
      'export-feature: frontend lane',
      'export-feature: export-logic lane',
      'export-feature: backend lane',
    ]);
    for (const lane of story.LANES) expect(testResults(lane).at(-1)).toBe('passed');
    // The merged branch has every lane's work, the fixed check included.
    expect(ctx.ws.git(['show', `lanes/${story.FEATURE}:apps/web/src/export-button.js`])).toContain("mediaType(contentType) !== 'text/csv'");
    expect(ctx.ws.git(['show', `lanes/${story.FEATURE}:libs/export/src/generate-export.js`])).toContain('created_at_utc');
    // The user's checkout is where it was: same commit, only the plan's notes added.
    expect(ctx.ws.git(['rev-parse', 'HEAD'])).toBe(head);
    expect(ctx.ws.git(['status', '--porcelain', '--untracked-files=all']).split('\n')).toEqual([
      `?? features/${story.FEATURE}/notes/export-logic.jsonc`,
      `?? features/${story.FEATURE}/notes/frontend.jsonc`,
    ]);
  });

  it('shows the risky frontend diff in full in the report and the other lanes as trusted', () => {
    const markdown = ctx.ws.read(`${artifacts('integration')}/report.md`);
    const review = markdown.slice(markdown.indexOf('## Review these'), markdown.indexOf('## Trust the suite'));
    expect(review).toContain('### frontend');
    expect(review).toContain('+  URL.revokeObjectURL(href);');
    expect(review).toContain("+  if (mediaType(contentType) !== 'text/csv') {");
    const trusted = markdown.slice(markdown.indexOf('## Trust the suite'));
    for (const lane of ['backend', 'export-logic', 'docs']) expect(trusted).toMatch(new RegExp(`\\*\\*${lane}\\*\\*: tests green, \\d+ files, trust the suite`));
    // Trusted lanes' code is summarised, not shown.
    expect(markdown).not.toContain('pipeline(csv, res');
    expect(ctx.ws.read(`${artifacts('integration')}/report.html`)).toContain('URL.revokeObjectURL(href)');
  });

  it('reruns from cache without a single request to the model, keeping the green report and adding one line to it', async () => {
    const kept = ctx.ws.read(`${artifacts('integration')}/report.md`);
    const o = await play('rerun');
    const markdown = ctx.ws.read(`${artifacts('integration')}/report.md`);
    const noop = o.integration!.report.history.at(-1);
    expect(noop).toMatchObject({ noop: true, lanesRan: 0, lanesFromCache: 4, spentUsd: 0 });
    expect(markdown).toBe(
      kept.replace('\n\n## Lanes', `\n\n## Reruns since\n\n- ${noop.generatedAt}: no-op rerun, all 4 lanes from cache, $0\n\n## Lanes`),
    );
    expect(ctx.ws.read(`${artifacts('integration')}/runs/${noop.runId}/report.md`)).toContain('0 lanes (4 more from cache)');
    expect(o.requests).toEqual({});
    expect(o.cached).toHaveLength(8);
    const stats = ctx.server!.stats();
    expect(stats.unmatched).toBe(0);
    expect(stats.bySession).toEqual({ backend: 6, 'export-logic': 8, frontend: 5, 'frontend-feedback': 4, docs: 4 });
    const share = story.computeCacheShare(stats.usage);
    console.log(
      `export story: ${stats.requests} model requests; ${Math.round(share * 100)}% of input tokens served from the prompt cache ` +
        `(${stats.usage.cache_read_input_tokens} read, ${stats.usage.cache_creation_input_tokens} written, ${stats.usage.input_tokens} uncached)`,
    );
    expect(share).toBeGreaterThan(0.5);
    // Every attempt of every lane, the frontend's replaced first one and export-logic's blocked one
    // included, is in the report's total: the replay server's own sum of what it served, priced.
    const report = o.integration!.report;
    expect(report.lanes.map((l: any) => [l.name, l.attempts.length])).toEqual([
      ['backend', 1],
      ['export-logic', 2],
      ['frontend', 2],
      ['docs', 1],
    ]);
    expect(report.totals.costUsd).toBeCloseTo(story.priceServedUsage(stats.usage), 5);
    expect(report.totals.turns).toBe(stats.requests);
  });
});

/**
 * `npm run demo -- --agent claude-code`, reduced to the steps with an agent in them: the same
 * plan with `agent.provider` claude-code, every lane the real Claude Code binary (installed with
 * the Agent SDK, in the lane's sandbox, through its metering proxy), answered by the storyboard
 * in Claude Code's tools. The workspace copies the anthropic story's packages and adds the SDK.
 */
describe('the export story with --agent claude-code (npm run demo -- --agent claude-code)', () => {
  let ctx: Story;
  let script: { sessions: Array<{ name: string; turns: Array<{ content: Array<Record<string, any>> }> }> };
  const step = (id: StoryStep['id']) => story.STEPS.find((s) => s.id === id)!;
  const play = async (id: StoryStep['id']): Promise<Observation> => {
    const o = await step(id).run(ctx);
    expect({ step: id, problems: step(id).check(o) }).toEqual({ step: id, problems: [] });
    return o;
  };
  const turnsOf = (session: string) => script.sessions.find((s) => s.name === session)!.turns;
  /** Turn index of the session's blocker call. */
  const blockerTurn = () => turnsOf('export-logic').findIndex((t) => t.content.some((b) => b.name === 'mcp__lanes__report_blocker'));
  const transcriptEvents = (lane: string): Array<Record<string, any>> =>
    ctx.ws
      .read(`dist/agent-lanes/${story.FEATURE}/${lane}/transcript.jsonl`)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
  /** Outcomes of the lane's Bash calls (its test), in order. */
  const bashResults = (lane: string) => {
    const events = transcriptEvents(lane);
    const bash = new Set(
      events.filter((e) => e.type === 'response').flatMap((e) => (e.content ?? []).filter((b: any) => b.type === 'tool_use' && b.name === 'Bash').map((b: any) => b.id)),
    );
    return events.filter((e) => e.type === 'tool_result' && bash.has(e.id)).map((e) => (e.is_error ? 'failed' : 'passed'));
  };

  beforeAll(async () => {
    const built = spawnSync(process.execPath, [join(REPO_ROOT, 'tools', 'demo', 'build-replay.mjs'), '--agent', 'claude-code'], { encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`build-replay.mjs --agent claude-code failed:\n${built.stderr}`);
    script = JSON.parse(built.stdout);
    const ws = createStoryWorkspace({
      prefix: 'nx-agent-lanes-e2e-story-cc-',
      install: anthropicWs?.root,
      extraDevDependencies: story.PROVIDERS['claude-code'].devDependencies,
    });
    const replay = await story.startReplayBackend({ script });
    ctx = { ws, server: replay.server, agentEnv: replay.env, provider: 'claude-code' };
    await story.prepareStory(ctx);
  }, 300_000);

  afterAll(async () => {
    await ctx?.server?.close();
    if (process.env.KEEP_STORY_WORKSPACE) console.log(`claude-code story workspace kept at ${ctx?.ws.root}`);
    else ctx?.ws.dispose();
  });

  it('plays launch, answer, resume, feedback and fix with Claude Code in every lane, as the demo checks them', async () => {
    expect(ctx.ws.read(story.PLAN_FILE)).toContain('"provider": "claude-code"');

    const launch = await play('launch');
    for (const lane of story.LANES) {
      expect(launch.results[lane]).toMatchObject({ provider: 'claude-code', sandboxed: true, usageSource: 'proxy' });
    }
    expect(launch.results['export-logic'].question).toContain('UTC or in the customer');
    // Each lane's session up to its last turn; export-logic up to the text turn after its blocker.
    expect(launch.requests).toEqual({ backend: turnsOf('backend').length, 'export-logic': blockerTurn() + 2, frontend: turnsOf('frontend').length, docs: turnsOf('docs').length });

    await play('answer');
    const resume = await play('resume');
    // The same Claude Code session goes on: its turns continue after the blocker's.
    expect(resume.requests).toEqual({ 'export-logic': turnsOf('export-logic').length - blockerTurn() - 2 });
    expect(transcriptEvents('export-logic').find((e) => e.type === 'agent-start')).toMatchObject({ provider: 'claude-code', resume: expect.any(String) });
    // Its first test run through Bash failed (unescaped quotes), the fix made it pass.
    expect(bashResults('export-logic')).toEqual(['failed', 'passed']);

    await play('feedback');
    const fix = await play('fix');
    expect(fix.requests).toEqual({ 'frontend-feedback': turnsOf('frontend-feedback').length });
    for (const lane of story.LANES) expect(bashResults(lane).at(-1)).toBe('passed');
    expect(ctx.ws.git(['show', `lanes/${story.FEATURE}:apps/web/src/export-button.js`])).toContain("mediaType(contentType) !== 'text/csv'");

    const stats = ctx.server!.stats();
    expect(stats.unmatched).toBe(0);
    console.log(
      `export story on claude-code: ${stats.requests} model requests; ${Math.round(story.computeCacheShare(stats.usage) * 100)}% of input tokens ` +
        'served from the prompt cache',
    );
  }, 300_000);
});
