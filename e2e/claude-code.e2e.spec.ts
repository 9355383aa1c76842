import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintCheckout } from './utils/checkout-fingerprint';
import { laneArtifacts, writeApiFmtProjects, overBudgetSession, plantUserClaudeState, startRecordedReplay, tearDown, type RecordedReplay, type ReplayServer } from './utils/loopback-lanes';
import { runNxAsync, type BodyRecorder, type NxRun, type RecordedRequest } from './utils/run-nx-async';
import { createScratchWorkspace, type ScratchWorkspace } from './utils/scratch-workspace';

const AGENT_SDK_VERSION = (require('../package.json') as { devDependencies: Record<string, string> }).devDependencies['@anthropic-ai/claude-agent-sdk'];

/**
 * The claude-code provider through the real nx CLI: the real Claude Code binary, installed with
 * the Agent SDK into the workspace, in the OS sandbox, talking to the loopback Messages API server
 * through the lane's metering proxy. Feature `cc` has two lanes:
 * - `api` writes its file, tries a file of another lane (refused at the tool), runs its test with Bash;
 * - `fmt` reports a blocker through the blocker tool; answered with the answer generator, the same
 *   Claude Code session goes on, and only that lane runs again;
 * and feature `tight` one, `tiny`, with a budget its first turn already exceeds.
 * The nx process gets a HOME whose ~/.claude holds a marker in memory, settings and CLAUDE.md, and
 * the repository a CLAUDE.md with another; neither may reach any request.
 */
describe('the claude-code provider under the real nx CLI', () => {
  const homeMarker = `home-claude-marker-${randomBytes(6).toString('hex')}`;
  const repoMarker = `repo-claude-md-marker-${randomBytes(6).toString('hex')}`;
  const ANSWER = 'Use CSV with a header row';
  let ws: ScratchWorkspace;
  let scratch: string;
  let hostHome: string;
  let loop: RecordedReplay;
  let replay: ReplayServer;
  let recorder: BodyRecorder;
  let first: NxRun;
  let firstRequests: number;
  let answered: NxRun;
  let secondRunSessions: Record<string, number>;
  let checkoutBefore: string;
  let checkoutAfter: string;

  let tight: NxRun;
  let capped: NxRun;
  let slow: NxRun;
  let waited: NxRun;
  let answerRun: NxRun | undefined;
  let afterWait: NxRun;
  let afterWaitRequests: number;
  let waitedRequests: RecordedRequest[];
  const lanes = laneArtifacts(() => ws.root);
  const { readJson } = lanes;
  const laneDir = (lane: string, feature = 'cc') => lanes.laneDir(feature, lane);
  const laneResult = (lane: string, feature = 'cc') => lanes.result(feature, lane);
  const transcript = (lane: string) => lanes.transcript('cc', lane);
  const requestsOf = (session: string) => loop.requestsOf(session);
  const env = () => ({
    NX_AGENT_LANES_WORKTREES: join(scratch, 'worktrees'),
    CI: 'true',
    HOME: hostHome,
    ANTHROPIC_API_KEY: 'sk-ant-e2e-not-a-real-key',
    ANTHROPIC_BASE_URL: recorder.url,
  });

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-e2e-claude-code-'));
    hostHome = join(scratch, 'home');
    ws = createScratchWorkspace('claude-code', { extraDevDependencies: { '@anthropic-ai/claude-agent-sdk': AGENT_SDK_VERSION } });
    plantUserClaudeState(hostHome, ws.root, homeMarker);

    writeApiFmtProjects(ws, repoMarker);
    const plan = {
      goal: 'Two lanes on Claude Code',
      contract: 'contract.md',
      agent: { provider: 'claude-code', model: 'claude-sonnet-5-5', maxTurns: 10, budgetUsd: 1 },
      sandbox: 'required',
      lanes: {
        api: { spec: 'lanes/api.md', owns: ['apps/api/src/**'], test: 'node tools/check-api.js' },
        fmt: { spec: 'lanes/fmt.md', owns: ['libs/fmt/src/**'], test: 'node tools/check-fmt.js' },
      },
      integration: { test: 'node tools/check-api.js && node tools/check-fmt.js' },
    };
    ws.write('features/cc/feature.jsonc', `${JSON.stringify(plan, null, 2)}\n`);
    ws.write('features/cc/contract.md', '# cc contract\n');
    for (const lane of Object.keys(plan.lanes)) ws.write(`features/cc/lanes/${lane}.md`, `# ${lane}\nSESSION: ${lane}\n`);
    const tightPlan = {
      goal: 'One lane on a budget its first turn exceeds',
      contract: 'contract.md',
      agent: { provider: 'claude-code', model: 'claude-sonnet-5-5', maxTurns: 10, budgetUsd: 0.01 },
      sandbox: 'required',
      lanes: {
        tiny: { spec: 'lanes/tiny.md', owns: ['libs/tiny/src/**'], test: 'true' },
        slow: { spec: 'lanes/slow.md', owns: ['libs/slow/**'], test: 'true', agent: { budgetUsd: 1, timeoutMinutes: 0.25 } },
      },
    };
    ws.write('features/tight/feature.jsonc', `${JSON.stringify(tightPlan, null, 2)}\n`);
    ws.write('features/tight/contract.md', '# tight contract\n');
    ws.write('features/tight/lanes/tiny.md', '# tiny\nSESSION: tiny\n');
    ws.write('features/tight/lanes/slow.md', '# slow\nSESSION: slow\n');
    const livePlan = {
      goal: 'One lane that asks and waits for its answer',
      contract: 'contract.md',
      agent: { provider: 'claude-code', model: 'claude-sonnet-5-5', maxTurns: 10, budgetUsd: 1 },
      sandbox: 'required',
      lanes: { ask: { spec: 'lanes/ask.md', owns: ['libs/ask/**'], test: 'node -e "require(\'./libs/ask/ask.js\')"' } },
    };
    const cappedPlan = {
      goal: 'Three lanes in a row under one feature budget',
      contract: 'contract.md',
      featureBudgetUsd: 0.3,
      agent: { provider: 'claude-code', model: 'claude-sonnet-5-5', maxTurns: 10, budgetUsd: 1 },
      sandbox: 'required',
      lanes: {
        one: { spec: 'lanes/one.md', owns: ['libs/cap/one/**'], test: 'true' },
        two: { spec: 'lanes/two.md', owns: ['libs/cap/two/**'], test: 'true', after: ['one'] },
        three: { spec: 'lanes/three.md', owns: ['libs/cap/three/**'], test: 'true', after: ['two'] },
      },
    };
    ws.write('features/capped/feature.jsonc', `${JSON.stringify(cappedPlan, null, 2)}\n`);
    ws.write('features/capped/contract.md', '# capped contract\n');
    for (const lane of Object.keys(cappedPlan.lanes)) ws.write(`features/capped/lanes/${lane}.md`, `# ${lane}\nSESSION: cap-${lane}\n`);
    ws.write('features/live/feature.jsonc', `${JSON.stringify(livePlan, null, 2)}\n`);
    ws.write('features/live/contract.md', '# live contract\n');
    ws.write('features/live/lanes/ask.md', '# ask\nSESSION: ask\n');
    ws.commitAll('plan cc');
    checkoutBefore = fingerprintCheckout(ws.root);

    loop = await startRecordedReplay({ sessions: [apiSession(), fmtSession(ANSWER), overBudgetSession('tiny', 'libs/tiny/src/tiny.js'), askSession(), slowSession(), ...['one', 'two', 'three'].map(cappedSession)] });
    ({ replay, recorder } = loop);

    first = await runNxAsync(ws, ['run', 'cc:integrate', '--parallel=2'], env());
    firstRequests = recorder.requests.length;
    checkoutAfter = fingerprintCheckout(ws.root);
    replay.reset();
    ws.nx(['g', 'nx-agent-lanes:answer', 'cc', '--lane', 'fmt', '--answer', ANSWER], { env: env() });
    answered = await runNxAsync(ws, ['run', 'cc:integrate', '--parallel=2'], env());
    secondRunSessions = replay.stats().bySession;
    tight = await runNxAsync(ws, ['run', 'tight:lane--tiny'], env());
    capped = await runNxAsync(ws, ['run', 'capped:integrate'], env());
    slow = await runNxAsync(ws, ['run', 'tight:lane--slow'], env());

    // Waiting in place: the lane blocks, the answer arrives while nx still runs, the session goes on.
    const beforeWait = recorder.requests.length;
    const giveUp = new AbortController();
    const timer = setTimeout(() => giveUp.abort(), 120_000);
    let answering: Promise<NxRun> | undefined;
    // nx prints a task's output when it ends; the transcript says at once that the lane asked.
    const askTranscript = join(laneDir('ask', 'live'), 'transcript.jsonl');
    const poll = setInterval(() => {
      if (answering || !existsSync(askTranscript) || !readFileSync(askTranscript, 'utf8').includes('"type":"blocker"')) return;
      answering = runNxAsync(ws, ['g', 'nx-agent-lanes:answer', 'live', '--lane', 'ask', '--answer', 'Name it ask.js'], env());
    }, 200);
    waited = await runNxAsync(ws, ['run', 'live:lane--ask'], { ...env(), NX_AGENT_LANES_WAIT_FOR_ANSWER: '1' }, { signal: giveUp.signal });
    clearInterval(poll);
    clearTimeout(timer);
    answerRun = await answering;
    waitedRequests = recorder.requests.slice(beforeWait);
    // Nx stored that run under the key it had before the answer; the next run is keyed with it.
    const beforeNext = recorder.requests.length;
    afterWait = await runNxAsync(ws, ['run', 'live:lane--ask'], env());
    afterWaitRequests = recorder.requests.length - beforeNext;
  }, 600_000);

  afterAll(() => tearDown('CLAUDE_CODE_E2E_KEEP', { replay: loop, ws, scratch }));

  it('runs Claude Code in the sandbox through the metering proxy: api ends done with its file, its figures the meter\'s', () => {
    const api = laneResult('api');
    expect({ status: api.status, sandboxed: api.sandboxed, provider: api.provider, usageSource: api.usageSource, model: api.model }).toEqual({
      status: 'done',
      sandboxed: true,
      provider: 'claude-code',
      usageSource: 'proxy',
      model: 'claude-sonnet-5-5',
    });
    expect(api.filesChanged).toEqual([{ path: 'apps/api/src/api.js', status: 'added' }]);
    expect(api.turns).toBe(requestsOf('api').length);
    expect(api.tokens.output).toBeGreaterThan(0);
    expect(first.output).toMatch(/\[api\] turn 1\/10 · 1 tool call \(Write apps\/api\/src\/api\.js\) · in [\d.]+k/);
  });

  it('refuses a Write to another lane\'s file at the tool, tells the model why, and names it in result.json', () => {
    const afterRefusal = requestsOf('api').find((r) => r.body.includes('toolu_api_1_0') && r.body.includes('tool_result'));
    expect(afterRefusal?.body).toMatch(/"is_error":true/);
    expect(afterRefusal?.body).toContain('`libs/fmt/src/stolen.js` belongs to lane `fmt`');
    expect(laneResult('api').permissionDenials).toEqual([expect.stringMatching(/^Write: `libs\/fmt\/src\/stolen\.js` belongs to lane `fmt`/)]);
    expect(existsSync(join(ws.root, 'libs/fmt/src/stolen.js'))).toBe(false);
    expect(readFileSync(join(laneDir('api'), 'lane.patch'), 'utf8')).not.toContain('stolen');
  });

  it('runs the lane\'s acceptance test through Bash, inside the sandbox', () => {
    const afterTest = requestsOf('api').find((r) => r.body.includes('toolu_api_2_0') && r.body.includes('tool_result'));
    expect(afterTest?.body).toContain('api check passed');
    expect(readJson(join(laneDir('api'), 'verify.json')).passed).toBe(true);
  });

  it('ends a lane blocked through the blocker tool, with its question and the session kept in its transcript', () => {
    expect(first.status).not.toBe(0);
    // The answer run rewrote fmt's artifacts: its first run's blocker is in its rescued history or
    // in what the first nx run printed, and the resumed session proves the state was kept.
    expect(first.output).toContain('Should the export be CSV or JSON?');
    expect(first.output).toMatch(/\[fmt\] BLOCKED after 2 turns/);
    expect(first.output).toContain('[fmt] turn 1/10 · 1 tool call (mcp__lanes__report_blocker)');
  });

  it('resumes the same Claude Code session after the answer, reruns only that lane, and ends it done', () => {
    expect({ status: answered.status, tail: answered.status === 0 ? '' : answered.output.slice(-3000) }).toEqual({ status: 0, tail: '' });
    const fmt = laneResult('fmt');
    expect({ status: fmt.status, startedFrom: fmt.startedFrom }).toEqual({ status: 'done', startedFrom: 'resumed-transcript' });
    expect(readJson(join(ws.root, 'dist/agent-lanes/cc/integration/result.json')).outcome).toBe('green');
    expect(transcript('fmt').find((e) => e.type === 'agent-start')).toMatchObject({ provider: 'claude-code', resume: expect.any(String) });
    expect(fmt.filesChanged).toEqual([{ path: 'libs/fmt/src/fmt.js', status: 'added' }]);
    // Only fmt's session was asked again, and its first resumed request holds the earlier turns.
    expect(secondRunSessions).toEqual({ fmt: 2 });
    const resumed = recorder.requests.slice(firstRequests);
    expect(resumed[0].body).toContain('toolu_fmt_0_0');
    expect(resumed[0].body).toContain(ANSWER);
  });

  it('waits for an answer in place and goes on in the same Claude Code session, in one nx run', () => {
    expect({ status: waited.status, tail: waited.status === 0 ? '' : waited.output.slice(-3000) }).toEqual({ status: 0, tail: '' });
    expect(answerRun?.status).toBe(0);
    const ask = laneResult('ask', 'live');
    expect({ status: ask.status, agentRuns: ask.agentRuns }).toEqual({ status: 'done', agentRuns: 2 });
    expect(ask.filesChanged).toEqual([{ path: 'libs/ask/ask.js', status: 'added' }]);
    expect(waitedRequests.map((r) => r.body.includes('toolu_ask_0_0'))).toEqual([false, true, true, true]);
    expect(waitedRequests[2].body).toContain('Name it ask.js');
    expect(waited.output).not.toContain('MaxListenersExceededWarning');
  });

  it('does not pay again for a lane answered in place: the next run, keyed with the answer, reuses its result', () => {
    expect({ status: afterWait.status, requests: afterWaitRequests }).toEqual({ status: 0, requests: 0 });
    expect(afterWait.output).toContain('nothing to rerun, nothing paid');
    expect(laneResult('ask', 'live')).toMatchObject({ status: 'done', agentRuns: 2 });
  });

  it('ends a lane whose budget its first turn exceeds over-budget, with the tokens the proxy metered', () => {
    const tiny = laneResult('tiny', 'tight');
    expect({ status: tiny.status, usageSource: tiny.usageSource, exit: tight.status === 0 }).toEqual({ status: 'over-budget', usageSource: 'proxy', exit: false });
    expect(tiny.tokens.output).toBeGreaterThanOrEqual(5000);
    expect(tiny.tokens.input + tiny.tokens.cacheWrite + tiny.tokens.cacheRead).toBeGreaterThan(1000);
    expect(tiny.costUsd).toBeGreaterThan(0.01);
  });

  it('stops the third of three lanes at the feature\'s budget, counted across lanes by the meter, naming what each spent', () => {
    const [one, two, three] = ['one', 'two', 'three'].map((lane) => laneResult(lane, 'capped'));
    expect({ one: one.status, two: two.status, three: three.status, exit: capped.status === 0 }).toEqual({ one: 'done', two: 'done', three: 'over-budget', exit: false });
    expect(three.reason).toMatch(/the feature reached its budget of \$0\.3000 across lanes \(spent \$0\.\d+: .*one \$0\.1\d+, two \$0\.1\d+/);
    // The third lane was admitted while the feature was under its cap and stopped at the next request.
    expect(three.turns).toBe(1);
    expect(one.costUsd + two.costUsd).toBeLessThan(0.3);
    expect(one.costUsd + two.costUsd + three.costUsd).toBeGreaterThanOrEqual(0.3);
    expect(existsSync(join(laneDir('three', 'capped'), 'spend.json'))).toBe(false);
  });

  it('stops a lane at its timeoutMinutes, Claude Code and all, and keeps what it wrote', () => {
    const result = laneResult('slow', 'tight');
    expect({ exit: slow.status === 0, status: result.status, reason: result.reason }).toEqual({ exit: false, status: 'failed', reason: 'timed out after 0.25 minutes' });
    expect(result.filesChanged).toEqual([{ path: 'libs/slow/first.js', status: 'added' }]);
    expect(slow.durationMs).toBeLessThan(30_000);
  });

  it('keeps the user\'s ~/.claude and the repository\'s CLAUDE.md out of every request, and out of the user\'s home', () => {
    expect(recorder.requests.length).toBeGreaterThan(5);
    for (const request of recorder.requests) {
      expect(request.body.includes(homeMarker)).toBe(false);
      expect(request.body.includes(repoMarker)).toBe(false);
    }
    // Sessions live in the lane's scratch folder: nothing was added under the user's ~/.claude.
    expect(readdirSync(join(hostHome, '.claude', 'projects'))).toEqual([ws.root.replace(/[^a-zA-Z0-9]/g, '-')]);
    expect(checkoutAfter).toBe(checkoutBefore);
  });
});

function apiSession() {
  return {
    name: 'api',
    match: { contains: 'SESSION: api' },
    turns: [
      { content: [{ type: 'tool_use', name: 'Write', input: { file_path: 'apps/api/src/api.js', content: "exports.api = 'done';\n" } }] },
      { content: [{ type: 'tool_use', name: 'Write', input: { file_path: 'libs/fmt/src/stolen.js', content: 'exports.stolen = true;\n' } }] },
      { content: [{ type: 'tool_use', name: 'Bash', input: { command: 'node tools/check-api.js', description: 'Run the acceptance test' } }] },
      { content: [{ type: 'text', text: 'Wrote apps/api/src/api.js; the acceptance test passes.' }] },
    ],
  };
}

function fmtSession(answer: string) {
  return {
    name: 'fmt',
    match: { contains: 'SESSION: fmt' },
    turns: [
      { content: [{ type: 'tool_use', name: 'mcp__lanes__report_blocker', input: { question: 'Should the export be CSV or JSON?' } }] },
      { content: [{ type: 'text', text: 'Stopping until the question is answered.' }] },
      { content: [{ type: 'tool_use', name: 'Write', input: { file_path: 'libs/fmt/src/fmt.js', content: "exports.format = 'csv';\n" } }] },
      { content: [{ type: 'text', text: `Done: ${answer}.` }] },
    ],
  };
}

/** Writes its file with an answer of 10,000 output tokens ($0.10 at Sonnet 5.5's price), then finishes. */
function cappedSession(lane: string) {
  return {
    name: `cap-${lane}`,
    match: { contains: `SESSION: cap-${lane}` },
    turns: [
      { content: [{ type: 'tool_use', name: 'Write', input: { file_path: `libs/cap/${lane}/index.js`, content: `exports.${lane} = 1;\n` } }], usage: { output_tokens: 10_000 } },
      { content: [{ type: 'text', text: 'Done.' }] },
    ],
  };
}

/** Writes one file, then its model takes a minute to answer. */
function slowSession() {
  return {
    name: 'slow',
    match: { contains: 'SESSION: slow' },
    turns: [
      { content: [{ type: 'tool_use', name: 'Write', input: { file_path: 'libs/slow/first.js', content: 'exports.first = 1;\n' } }] },
      { content: [{ type: 'text', text: 'Too late.' }], latencyMs: 60_000 },
    ],
  };
}

function askSession() {
  return {
    name: 'ask',
    match: { contains: 'SESSION: ask' },
    turns: [
      { content: [{ type: 'tool_use', name: 'mcp__lanes__report_blocker', input: { question: 'What should the file be called?' } }] },
      { content: [{ type: 'text', text: 'Waiting for the answer.' }] },
      { content: [{ type: 'tool_use', name: 'Write', input: { file_path: 'libs/ask/ask.js', content: 'exports.ask = true;\n' } }] },
      { content: [{ type: 'text', text: 'Wrote libs/ask/ask.js.' }] },
    ],
  };
}

