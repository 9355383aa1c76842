'use strict';
/**
 * The first step of `npm run demo -- --from-goal`: the workspace has no plan, and
 * `nx g nx-agent-lanes:decompose` proposes it from the plan's goal. Replayed, the agent is the
 * scripted session of decompose-storyboard.mjs, and the step holds it to the story: the first
 * proposal comes back with its overlap, the second is accepted, and the plan written is the
 * example's (decompose adds its header comment), so the lane sessions of the rest of the story
 * answer it. The plan is committed, with the story's provider, before the next step.
 *
 * CommonJS, like export-story.js, so Jest can load it.
 */
const { readFileSync, readdirSync } = require('node:fs');
const { join, relative, sep } = require('node:path');
const { parse } = require('jsonc-parser');
const { FIXTURE_DIR } = require('./story-workspace');
const { FEATURE, priceServedUsage, runNx, setPlanProvider, stripAnsi } = require('./export-story');

const PLAN_DIR = `features/${FEATURE}`;
const LANE_COUNT = 4;
/** The file the first proposal gives to two lanes (decompose-storyboard.mjs). */
const CONTESTED_FILE = 'apps/api/src/routes/index.js';
const HEADER = /^\/\/ Proposed by `nx g nx-agent-lanes:decompose` \((\w[\w-]*), /;

/** Every file under `dir`, by its path relative to `dir` with forward slashes. */
function readFolder(dir) {
  const files = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath ?? entry.path, entry.name);
    files[relative(dir, file).split(sep).join('/')] = readFileSync(file, 'utf8');
  }
  return files;
}

/** The plan as examples/export-story commits it: feature.jsonc, contract.md, lanes/<lane>.md. */
function readExamplePlan() {
  return readFolder(join(FIXTURE_DIR, PLAN_DIR));
}

/** The goal of the example's plan: what decompose is asked to split. */
function readGoal() {
  const goal = parse(readExamplePlan()['feature.jsonc'])?.goal;
  if (typeof goal !== 'string' || !goal.trim()) throw new Error(`examples/export-story/${PLAN_DIR}/feature.jsonc has no "goal"`);
  return goal;
}

/** Token counts served between two `stats().usage` snapshots. */
function diffUsage(before, after) {
  return Object.fromEntries(Object.keys(after).map((key) => [key, after[key] - (before[key] ?? 0)]));
}

/** What decompose printed: the first proposal's problems, the verdicts, the cost line's figures. */
function readDecomposeOutput(output) {
  const lines = stripAnsi(output).split('\n').map((l) => l.replace(/^.*?\[decompose\] /, ''));
  const rejected = lines.findIndex((l) => /^proposal 1\/\d+: \d+ problems?/.test(l));
  const problems = [];
  for (let i = rejected + 1; rejected >= 0 && i < lines.length && /^ {2}\S/.test(lines[i]); i++) problems.push(lines[i].trim());
  const cost = lines.map((l) => /^decompose: (.+?) · (\d+) turns? · .* · \$(\d+\.\d+) of \$/.exec(l)).find(Boolean);
  return {
    problems,
    accepted: lines.map((l) => /^proposal (\d+)\/\d+: the validator accepted it \((\d+) lanes\)/.exec(l)).find(Boolean)?.slice(1).map(Number),
    verdict: cost?.[1],
    turns: cost ? Number(cost[2]) : undefined,
    costUsd: cost ? Number(cost[3]) : undefined,
  };
}

/** How the written plan differs from the example's: decompose adds only its header comment to feature.jsonc. */
function comparePlans(written, example) {
  const problems = [];
  const extra = Object.keys(written).filter((p) => !(p in example));
  const missing = Object.keys(example).filter((p) => !(p in written));
  if (extra.length) problems.push(`${PLAN_DIR} holds files the example's plan has not: ${extra.join(', ')}`);
  if (missing.length) problems.push(`${PLAN_DIR} lacks ${missing.join(', ')}`);
  for (const path of Object.keys(example).filter((p) => p in written && p !== 'feature.jsonc')) {
    if (written[path] !== example[path]) problems.push(`${PLAN_DIR}/${path} differs from the example's`);
  }
  const plan = written['feature.jsonc'];
  if (plan !== undefined) {
    const header = plan.endsWith(example['feature.jsonc']) ? plan.slice(0, plan.length - example['feature.jsonc'].length) : undefined;
    if (header === undefined) problems.push(`${PLAN_DIR}/feature.jsonc is not the example's plan after decompose's header`);
    else if (!HEADER.test(header) || header.split('\n').some((l) => l && !l.startsWith('// '))) {
      problems.push(`${PLAN_DIR}/feature.jsonc does not start with decompose's header comment: ${JSON.stringify(header.split('\n')[0])}`);
    }
  }
  return problems;
}

const DECOMPOSE_STEP = {
  id: 'decompose',
  title: 'From the goal to a plan: decompose proposes it, the validator checks it',
  /** Without a plan, nothing after it can run. */
  required: true,
  says: (story) =>
    'The workspace has no plan yet, only the goal. decompose gives an agent the goal and the Nx project graph; it reads ' +
    'the code with read-only tools on a snapshot of the last commit and hands in a whole plan with propose_plan, which the ' +
    "plugin's own validator checks at once: a plan with two lanes owning one file goes back to the agent with the problem, " +
    'located. ' +
    (story.server
      ? 'Here the agent is a scripted session on the replay server (tools/demo/decompose-storyboard.mjs), and its plan is the example\'s.'
      : 'This is the real API: the plan is the agent\'s own, and the rest of the story plays on it.') +
    (story.provider === 'claude-code' ? ' The agent is Claude Code (--provider claude-code), read-only in that snapshot.' : ''),
  run: async (story) => {
    const goal = readGoal();
    const before = story.server?.stats().usage;
    const provider = story.provider ?? 'anthropic';
    const o = await runNx(story, [
      'g',
      'nx-agent-lanes:decompose',
      FEATURE,
      '--goal',
      goal,
      '--lanes',
      String(LANE_COUNT),
      ...(provider === 'anthropic' ? [] : ['--provider', provider]),
    ]);
    const servedUsage = before ? diffUsage(before, story.server.stats().usage) : undefined;
    const written = story.ws.exists(PLAN_DIR) ? readFolder(story.ws.path(PLAN_DIR)) : {};
    let commit;
    if (o.status === 0 && written['feature.jsonc'] !== undefined) {
      setPlanProvider(story.ws, provider);
      commit = story.ws.commitAll(`The plan of ${FEATURE}, proposed by nx g nx-agent-lanes:decompose`);
    }
    return { ...o, provider, goal, written, servedUsage, commit, decompose: readDecomposeOutput(o.output) };
  },
  check: (o) => {
    const problems = [];
    const d = o.decompose;
    if (o.status !== 0) problems.push(`decompose exited ${o.status}`);
    // Claude Code loads the propose tool with ToolSearch first: one turn more.
    const turns = o.provider === 'claude-code' ? 4 : 3;
    if (JSON.stringify(o.requests) !== JSON.stringify({ decompose: turns })) {
      problems.push(`model requests: ${JSON.stringify(o.requests)}; expected ${turns} of the decompose session (read, a rejected proposal, an accepted one)`);
    }
    if (!d.problems.some((p) => p.includes(CONTESTED_FILE))) problems.push(`the first proposal did not come back with the overlap on ${CONTESTED_FILE}`);
    if (JSON.stringify(d.accepted) !== JSON.stringify([2, LANE_COUNT])) problems.push(`the validator did not accept the second proposal with ${LANE_COUNT} lanes`);
    if (d.verdict !== 'accepted after 2 proposals' || d.turns !== turns) {
      problems.push(`the cost line says "${d.verdict}" in ${d.turns} turns; expected accepted after 2 proposals in ${turns} turns`);
    }
    if (o.servedUsage && d.costUsd !== undefined && Math.abs(priceServedUsage(o.servedUsage) - d.costUsd) >= 0.00005) {
      problems.push(`decompose's meter says $${d.costUsd}, but the replay server served it $${priceServedUsage(o.servedUsage).toFixed(6)}`);
    }
    problems.push(...comparePlans(o.written, readExamplePlan()));
    const by = HEADER.exec(o.written['feature.jsonc'] ?? '')?.[1];
    if (by && by !== o.provider) problems.push(`decompose's header says the plan was proposed by ${by}, not ${o.provider}`);
    if (!o.commit) problems.push('the plan was not committed');
    return problems;
  },
  summarize: (o) => {
    const { problems, accepted, turns, costUsd } = o.decompose;
    const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
    const sent = problems.length
      ? `the validator sent back ${plural(problems.length, 'problem')} with the first proposal (${problems[0]})`
      : 'the validator found no problem in the first proposal';
    const ordinal = ['first', 'second', 'third'][accepted?.[0] - 1] ?? `number ${accepted?.[0]}`;
    const verdict = accepted ? `the ${ordinal} proposal was accepted (${accepted[1]} lanes)` : 'no proposal was accepted';
    const plan = comparePlans(o.written, readExamplePlan()).length === 0 ? "the example's plan under decompose's header comment" : "the agent's own plan";
    return (
      `${sent}; ${verdict}, in ${plural(turns ?? 0, 'turn')} for $${costUsd?.toFixed(4)} on decompose's own meter (not in the feature's report). ` +
      `${PLAN_DIR} is ${plan} (${plural(Object.keys(o.written).length, 'file')}), committed as ${o.commit?.slice(0, 10) ?? '(nothing)'}`
    );
  },
};

module.exports = { FEATURE, PLAN_DIR, CONTESTED_FILE, DECOMPOSE_STEP, readExamplePlan, readGoal, diffUsage, readDecomposeOutput, comparePlans };
