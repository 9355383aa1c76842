'use strict';
/**
 * The export story, step by step: each step is what a user types (an `nx` command), what it
 * observably did (lane results, replay requests per session, Nx cache hits, the report), and
 * what the story says it must have done (`check` returns the differences, empty when all is
 * as told). run-demo.mjs narrates these steps; e2e/story.e2e.spec.ts asserts on the same ones.
 *
 * CommonJS so Jest can load it (see story-workspace.js).
 */
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { AGENT_SDK_PACKAGE, AGENT_SDK_VERSION, BUILT_PACKAGE } = require('./story-workspace');

const FEATURE = 'export-feature';
const LANES = ['backend', 'export-logic', 'frontend', 'docs'];
const BLOCKED_LANE = 'export-logic';
const FEEDBACK_LANE = 'frontend';
const ANSWER = 'UTC, with an explicit column header';
// The replay's frontend-feedback session matches any feedback (its `## Review feedback` heading).
const FEEDBACK = 'The API sends Content-Type: text/csv; charset=utf-8 as the contract says: accept text/csv with any parameters';
const INTEGRATE = ['run', `${FEATURE}:integrate`];
const REPLAY_FILE = join(__dirname, '..', '..', 'examples', 'export-story', 'replay', 'export-feature.replay.json');
const PLAN_FILE = `features/${FEATURE}/feature.jsonc`;

/**
 * The agent providers the story plays with: the plan's own (`anthropic`), and Claude Code, whose
 * workspace also installs the Agent SDK (it brings Claude Code with it).
 */
const PROVIDERS = {
  anthropic: { label: "the anthropic provider, the plugin's own tool loop on the Anthropic SDK", devDependencies: {} },
  'claude-code': {
    label: 'the claude-code provider: Claude Code through the Agent SDK',
    devDependencies: { [AGENT_SDK_PACKAGE]: AGENT_SDK_VERSION },
  },
};

const artifacts = (lane) => `dist/agent-lanes/${FEATURE}/${lane}`;

/**
 * The loopback Messages API of the BUILT package, in this process, replaying the story's
 * script. Returns the server and the environment that points the plugin's SDK client at it.
 */
async function startReplayBackend({ builtPackage = BUILT_PACKAGE, scriptFile = REPLAY_FILE, script, log } = {}) {
  const { startMessagesApiServer, loadReplayScript } = require(join(builtPackage, 'src', 'replay', 'messages-api-server.js'));
  const server = await startMessagesApiServer({ script: script ?? loadReplayScript(scriptFile), log });
  // Any key will do: the replay server only checks that one is sent, as the real API would.
  return { server, env: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'replay-demo-key' } };
}

/** Requests per replay session between two `stats().bySession` snapshots. */
function diffRequests(before, after) {
  const diff = {};
  for (const [session, n] of Object.entries(after)) if (n - (before[session] ?? 0) > 0) diff[session] = n - (before[session] ?? 0);
  return diff;
}

/**
 * The lane tasks Nx served from cache, named as the feature's targets that run them: Nx prints
 * `> nx run export-feature/docs:agent  [local cache]` for the docs lane's agent (lane--docs).
 */
function findCachedTasks(output) {
  return [...stripAnsi(output).matchAll(/nx run [\w.-]+\/([\w-]+):(agent|verify)\s+\[(?:local|remote) cache\]/g)]
    .map((m) => `${m[2] === 'agent' ? 'lane' : 'verify'}--${m[1]}`)
    .sort();
}

function stripAnsi(text) {
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

function readLaneResult(ws, lane) {
  return ws.exists(`${artifacts(lane)}/result.json`) ? ws.readJson(`${artifacts(lane)}/result.json`) : undefined;
}

function readIntegration(ws) {
  const dir = artifacts('integration');
  if (!ws.exists(`${dir}/result.json`)) return undefined;
  return { report: ws.readJson(`${dir}/result.json`), markdown: ws.path(`${dir}/report.md`), html: ws.path(`${dir}/report.html`) };
}

/** How long all of `intervals` ran at the same time, in ms (0 when there was no such moment). */
function measureOverlap(intervals) {
  const start = Math.max(...intervals.map((i) => Date.parse(i.startedAt)));
  const end = Math.min(...intervals.map((i) => Date.parse(i.endedAt)));
  return Math.max(0, end - start);
}

/** Runs `nx args` for a step and records what it did. */
async function runNx(story, args) {
  const before = story.server?.stats().bySession ?? {};
  const run = await story.ws.nx(args, { env: story.agentEnv });
  const after = story.server?.stats().bySession ?? {};
  return { command: `nx ${args.map(quoteArg).join(' ')}`, ...run, requests: diffRequests(before, after), cached: findCachedTasks(run.output) };
}

function quoteArg(arg) {
  return /^[\w@:./=,-]+$/.test(arg) ? arg : `"${arg.replace(/"/g, '\\"')}"`;
}

const sameList = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** The first error message of a failed integration test's output, for one line of narration. */
function firstFailure(report) {
  const tail = stripAnsi(report?.integration?.outputTail ?? '');
  const error = /Error(?: \[\w+\])?: (.+)/.exec(tail);
  return error ? error[1].trim() : report?.outcome ?? 'no report';
}

const laneTasks = (lanes) => lanes.flatMap((l) => [`lane--${l}`, `verify--${l}`]).sort();

/*
 * The steps. `run(story)` returns an observation; `check(observation)` lists every way it
 * differs from the story (empty: as told). `story` is { ws, agentEnv, server, provider }.
 * `says` is text, or a function of the story where the provider changes the words.
 */
const STEPS = [
  {
    id: 'template-tests',
    title: 'The workspace before any agent: its own tests pass',
    says: 'Acme Billing is a small SaaS: an API, a web app, a data layer and docs, each an Nx project tested with node --test.',
    run: async (story) => runNx(story, ['run-many', '-t', 'test']),
    check: (o) => (o.status === 0 ? [] : [`nx run-many -t test exited ${o.status}: the fixture's own tests must pass before any lane runs`]),
    summarize: () => 'the tests of api, web, data and docs pass: the workspace is sound before any agent touches it',
  },
  {
    id: 'plan',
    title: 'The plan becomes Nx targets',
    /** Its output is the project as JSON: the summary says what matters, the log has the rest. */
    quiet: true,
    says:
      'features/export-feature/feature.jsonc splits the feature into four lanes with disjoint files, a contract, ' +
      'a test per lane and an integration test. The plugin infers one Nx project from it.',
    run: async (story) => {
      const o = await runNx(story, ['show', 'project', FEATURE, '--json']);
      let targets = [];
      try {
        targets = Object.keys(JSON.parse(o.output.slice(o.output.indexOf('{'))).targets ?? {}).sort();
      } catch {
        // Left empty: check() reports it.
      }
      return { ...o, targets };
    },
    check: (o) => {
      const want = [...laneTasks(LANES), 'integrate'];
      const missing = want.filter((t) => !o.targets.includes(t));
      return missing.length ? [`nx show project ${FEATURE} lacks the targets ${missing.join(', ')}`] : [];
    },
    summarize: (o) => `export-feature has the targets ${o.targets.join(', ')}`,
  },
  {
    id: 'launch',
    title: 'Launch: four agents at once; export-logic asks a question',
    says: (story) =>
      `Each lane gets its own git worktree and its own agent (${PROVIDERS[story.provider ?? 'anthropic'].label}${story.server ? ', answered here by the replay server' : ''}). ` +
      'export-logic finds the contract silent on time zones and reports a blocker instead of guessing; ' +
      'the other lanes finish and are verified. integrate does not run while a lane is blocked.',
    run: async (story) => {
      const o = await runNx(story, INTEGRATE);
      const results = Object.fromEntries(LANES.map((l) => [l, readLaneResult(story.ws, l)]));
      const present = LANES.filter((l) => results[l]);
      return { ...o, results, overlapMs: present.length === LANES.length ? measureOverlap(present.map((l) => results[l])) : 0 };
    },
    check: (o) => {
      const problems = [];
      if (o.status === 0) problems.push('the first run succeeded, but export-logic should have blocked it');
      const blocked = o.results[BLOCKED_LANE];
      if (blocked?.status !== 'blocked') problems.push(`export-logic ended ${blocked?.status ?? 'without a result'}, not blocked`);
      else if (!/UTC/.test(blocked.question ?? '')) problems.push(`export-logic's question does not ask about UTC: ${blocked.question}`);
      for (const lane of LANES.filter((l) => l !== BLOCKED_LANE)) {
        if (o.results[lane]?.status !== 'done') problems.push(`${lane} ended ${o.results[lane]?.status ?? 'without a result'}, not done`);
      }
      if (!(o.overlapMs > 0)) problems.push('the four lanes did not run at the same time');
      if (!o.output.includes(`nx g nx-agent-lanes:answer ${FEATURE} --lane ${BLOCKED_LANE} --answer`)) {
        problems.push('the output does not say how to answer the blocker');
      }
      return problems;
    },
    summarize: (o) =>
      `export-logic is blocked on a question ("${o.results[BLOCKED_LANE]?.question}"); ` +
      `backend, frontend and docs are done and verified; all four agents were working at once for ${seconds(o.overlapMs)}`,
  },
  {
    id: 'answer',
    title: 'Answer the question in one line',
    says: 'The answer goes into features/export-feature/notes/export-logic.jsonc, an input of export-logic only.',
    run: async (story) => runNx(story, ['g', 'nx-agent-lanes:answer', FEATURE, '--lane', BLOCKED_LANE, '--answer', ANSWER]),
    check: (o) => (o.status === 0 ? [] : [`the answer generator exited ${o.status}`]),
    summarize: () => `the answer is recorded in features/${FEATURE}/notes/export-logic.jsonc`,
  },
  {
    id: 'resume',
    title: 'Run again: export-logic resumes, the others come from cache; the integration test goes red',
    says:
      'Only export-logic reruns, continuing the same conversation with the answer. Every other lane is an Nx cache ' +
      'hit: no agent, no tokens. Then all four lanes are merged and the integration test drives the web helper ' +
      'against the real API: both lanes passed their own tests, but the seam between them does not hold.',
    run: async (story) => {
      const o = await runNx(story, INTEGRATE);
      return { ...o, resumed: readLaneResult(story.ws, BLOCKED_LANE), integration: readIntegration(story.ws) };
    },
    check: (o) => {
      const problems = [];
      if (!sameList(Object.keys(o.requests), [BLOCKED_LANE])) {
        problems.push(`agents that called the model: ${Object.keys(o.requests).join(', ') || 'none'}; expected export-logic only`);
      }
      if (o.resumed?.status !== 'done' || o.resumed?.startedFrom !== 'resumed-transcript') {
        problems.push(`export-logic ended ${o.resumed?.status} from ${o.resumed?.startedFrom}; expected done, resumed from its transcript`);
      }
      const others = laneTasks(LANES.filter((l) => l !== BLOCKED_LANE));
      const uncached = others.filter((t) => !o.cached.includes(t));
      if (uncached.length) problems.push(`not served from the Nx cache: ${uncached.join(', ')}`);
      const report = o.integration?.report;
      if (report?.outcome !== 'integration-test-failed') problems.push(`integration ended ${report?.outcome ?? 'without a report'}; expected integration-test-failed`);
      else if (!(report.integration.outputTail ?? '').includes('text/csv; charset=utf-8')) {
        problems.push('the integration test failed, but not on the content type');
      }
      if (o.status === 0) problems.push('the run succeeded, but the integration test should have failed');
      return problems;
    },
    summarize: (o) =>
      `export-logic resumed its conversation and finished (${o.requests[BLOCKED_LANE] ?? 0} more model requests); ` +
      `${o.cached.length} tasks came from the Nx cache; the integration test is red: ${firstFailure(o.integration?.report)}`,
  },
  {
    id: 'feedback',
    title: 'One line of feedback to one lane',
    says: 'The report names the seam; the fix belongs to the frontend, which must accept the type the contract specifies.',
    run: async (story) => runNx(story, ['g', 'nx-agent-lanes:feedback', FEATURE, '--lane', FEEDBACK_LANE, '--message', FEEDBACK]),
    check: (o) => (o.status === 0 ? [] : [`the feedback generator exited ${o.status}`]),
    summarize: () => `the feedback is recorded in features/${FEATURE}/notes/frontend.jsonc`,
  },
  {
    id: 'fix',
    title: 'Run again: one agent fixes it; green; lanes/export-feature is ready',
    says:
      'The frontend agent starts a new conversation from its previous patch with the feedback in its prompt; the ' +
      'other lanes come from cache. Green: the lanes are committed one by one on lanes/export-feature.',
    run: async (story) => {
      const o = await runNx(story, INTEGRATE);
      let commits = [];
      try {
        commits = story.ws.git(['log', '--format=%s', `main..lanes/${FEATURE}`]).split('\n').filter(Boolean);
      } catch {
        // No branch: check() reports it.
      }
      const integration = readIntegration(story.ws);
      return { ...o, fixed: readLaneResult(story.ws, FEEDBACK_LANE), integration, commits, markdown: integration && story.ws.read(`${artifacts('integration')}/report.md`) };
    },
    check: (o) => {
      const problems = [];
      if (!sameList(Object.keys(o.requests), ['frontend-feedback'])) {
        problems.push(`agent sessions that ran: ${Object.keys(o.requests).join(', ') || 'none'}; expected the frontend's feedback session only`);
      }
      if (o.fixed?.startedFrom !== 'previous-patch') problems.push(`frontend started from ${o.fixed?.startedFrom}, not its previous patch`);
      if (o.status !== 0 || o.integration?.report.outcome !== 'green') problems.push(`the run ended ${o.integration?.report.outcome ?? `with exit ${o.status}`}, not green`);
      if (o.commits.length !== LANES.length) problems.push(`lanes/${FEATURE} has ${o.commits.length} commits, expected ${LANES.length}`);
      if (!o.markdown?.includes('URL.revokeObjectURL')) problems.push("report.md does not show the frontend's risky diff");
      for (const lane of LANES.filter((l) => l !== FEEDBACK_LANE)) {
        if (!new RegExp(`\\*\\*${lane}\\*\\*: tests green, \\d+ files?, trust the suite`).test(o.markdown ?? '')) {
          problems.push(`report.md does not list ${lane} as trusted`);
        }
      }
      return problems;
    },
    summarize: (o) =>
      `only the frontend agent ran (${o.requests['frontend-feedback'] ?? 0} model requests), from its previous patch; ` +
      `the integration test is green; lanes/${FEATURE} has ${o.commits.length} commits, one per lane`,
  },
  {
    id: 'rerun',
    title: 'Nothing changed, nothing to pay: the same command again',
    says: 'Every lane and every verification comes from the Nx cache; only the merge and the integration test run.',
    run: async (story) => {
      const before = story.ws.exists(`${artifacts('integration')}/result.json`) ? story.ws.readJson(`${artifacts('integration')}/result.json`) : undefined;
      const o = await runNx(story, INTEGRATE);
      const integration = readIntegration(story.ws);
      return { ...o, before, integration, markdown: integration && story.ws.read(`${artifacts('integration')}/report.md`) };
    },
    check: (o) => {
      const problems = [];
      // The report of the run that did the work stays; the rerun adds one line to it.
      const top = o.integration?.report;
      if (!o.before || top?.runId !== o.before.runId) problems.push(`the top-level report is run ${top?.runId}, no longer the green run ${o.before?.runId} that did the work`);
      const last = top?.history?.at(-1);
      if (!last?.noop) problems.push('the rerun is not in the report history as a no-op run');
      else if (!(o.markdown ?? '').includes(`${last.generatedAt}: no-op rerun, all ${LANES.length} lanes from cache, $0`)) problems.push('report.md lacks the no-op rerun line');
      const sent = Object.values(o.requests).reduce((a, b) => a + b, 0);
      if (sent !== 0) problems.push(`${sent} request(s) reached the model; expected none`);
      const uncached = laneTasks(LANES).filter((t) => !o.cached.includes(t));
      if (uncached.length) problems.push(`not served from the Nx cache: ${uncached.join(', ')}`);
      if (o.status !== 0) problems.push(`the rerun exited ${o.status}`);
      return problems;
    },
    summarize: (o) =>
      `${Object.values(o.requests).reduce((a, b) => a + b, 0)} model requests; ${o.cached.length} of ${laneTasks(LANES).length} ` +
      'lane and verify tasks came from the Nx cache',
  },
];

/**
 * What the replay server served, priced by the BUILT package's own price table and pricing: the
 * sum the report's total must equal, since every served answer went through a lane's meter.
 */
function priceServedUsage(usage, { builtPackage = BUILT_PACKAGE, model } = {}) {
  const { DEFAULT_MODEL, DEFAULT_PRICES } = require(join(builtPackage, 'src', 'feature', 'default-agent.js'));
  const { priceApiUsage, readApiUsage } = require(join(builtPackage, 'src', 'proxy', 'price-api-usage.js'));
  const laneModel = model ?? DEFAULT_MODEL;
  return priceApiUsage({ model: laneModel, laneModel, usage: readApiUsage(usage), prices: DEFAULT_PRICES }).costUsd;
}

/** Share of input tokens the replay server served from its prompt cache. */
function computeCacheShare(usage) {
  const total = usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens;
  return total === 0 ? 0 : usage.cache_read_input_tokens / total;
}

/**
 * Sets the plan's `agent.provider` (the example's is anthropic), comment included, so the story
 * plays with another provider and nothing else changes. A plan of a live decompose may say
 * nothing of its provider: there it is set as a JSONC edit.
 */
function setPlanProvider(ws, provider) {
  if (!PROVIDERS[provider]) throw new Error(`No export story for provider ${provider}: one of ${Object.keys(PROVIDERS).join(', ')}`);
  if (provider === 'anthropic') return;
  const plan = ws.read(PLAN_FILE);
  const field = '"provider": "anthropic"';
  const comment = "// Every lane runs the plugin's own agent loop on the Anthropic API with the default model.";
  if (plan.split(field).length !== 2) {
    const { applyEdits, modify } = require('jsonc-parser');
    writeFileSync(ws.path(PLAN_FILE), applyEdits(plan, modify(plan, ['agent', 'provider'], provider, { formattingOptions: { insertSpaces: true, tabSize: 2 } })));
    return;
  }
  writeFileSync(
    ws.path(PLAN_FILE),
    plan
      .replace(field, `"provider": "${provider}"`)
      .replace(comment, '// Every lane runs Claude Code (through the Agent SDK) on the Anthropic API with the default model.'),
  );
}

/**
 * Commits the workspace as the story's starting point (after `nx g nx-agent-lanes:init`), with
 * the plan set to the story's provider; a workspace without the plan (the story from the goal)
 * is committed as it is, and decompose-step.js sets the provider of the plan it writes.
 */
async function prepareStory(story) {
  const withPlan = story.ws.exists(PLAN_FILE);
  if (withPlan) setPlanProvider(story.ws, story.provider ?? 'anthropic');
  const init = await runNx(story, ['g', 'nx-agent-lanes:init']);
  if (init.status !== 0) throw new Error(`nx g nx-agent-lanes:init failed:\n${init.output}`);
  story.ws.commitAll(withPlan ? 'Acme Billing, with the plan of export-feature' : 'Acme Billing, before any plan of export-feature');
  return init;
}

module.exports = {
  FEATURE,
  LANES,
  ANSWER,
  FEEDBACK,
  REPLAY_FILE,
  PLAN_FILE,
  PROVIDERS,
  STEPS,
  setPlanProvider,
  startReplayBackend,
  prepareStory,
  runNx,
  findCachedTasks,
  stripAnsi,
  measureOverlap,
  computeCacheShare,
  priceServedUsage,
  readIntegration,
  readLaneResult,
};
