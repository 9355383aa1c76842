#!/usr/bin/env node
/**
 * npm run demo: the export story, end to end, with the real nx CLI in a scratch workspace.
 *
 *   npm run demo                         replayed agents: no API key, no network
 *   npm run demo -- --clean              the same, and delete the scratch workspace at the end
 *   npm run demo -- --agent claude-code  the same story with Claude Code as every lane's agent
 *   npm run demo -- --live               real agents on the Anthropic API (needs ANTHROPIC_API_KEY; costs money)
 *   npm run demo -- --from-goal          start with no plan: decompose proposes it from the goal, then the story plays on it
 *
 * Exits non-zero when any step does not do what the story says, so it doubles as a smoke test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { buildReplayScript } from './build-replay.mjs';

const require = createRequire(import.meta.url);
const { ensurePackageBuilt, createStoryWorkspace, PINNED_NX_VERSION, REPO_ROOT } = require('./story-workspace.js');
const story = require('./export-story.js');
const { renderLanesTable } = require('./render-lanes-table.js');
const { DECOMPOSE_STEP, diffUsage } = require('./decompose-step.js');

const { values: args } = parseArgs({
  options: {
    keep: { type: 'boolean' },
    clean: { type: 'boolean' },
    live: { type: 'boolean' },
    agent: { type: 'string', default: 'anthropic' },
    'from-goal': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log(
    [
      'Usage: npm run demo [-- --agent anthropic|claude-code] [-- --from-goal] [-- --clean] [-- --live]',
      '  --agent anthropic    every lane runs the plugin\'s own tool loop (the default)',
      '  --agent claude-code  every lane runs Claude Code through the Agent SDK, installed in the scratch workspace',
      '  --keep               keep the scratch workspace (the default)',
      '  --clean              delete it at the end',
      '  --live               call the real Anthropic API (needs ANTHROPIC_API_KEY)',
      '  --from-goal          start without the plan: `nx g nx-agent-lanes:decompose` proposes it from its goal',
      '                       (a scripted session on the replay server, the real API with --live; the provider',
      '                       of --agent), then the story plays on the plan it wrote',
    ].join('\n'),
  );
  process.exit(0);
}
if (!Object.hasOwn(story.PROVIDERS, args.agent)) {
  console.error(`--agent ${args.agent}: the export story plays with ${Object.keys(story.PROVIDERS).join(' or ')} (default anthropic).`);
  process.exit(2);
}
if (args.live && !process.env.ANTHROPIC_API_KEY) {
  console.error('--live calls the real Anthropic API: set ANTHROPIC_API_KEY first (or drop --live to replay the story).');
  process.exit(2);
}

const fromGoal = args['from-goal'] === true;

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code) => (text) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const bold = paint('1');
const dim = paint('2');
const green = paint('32');
const red = paint('31');
const say = (text = '') => console.log(wrap(text));
const started = Date.now();

/** Plain words at 96 columns, so the story reads in any terminal. */
function wrap(text, width = 96, indent = '') {
  return text
    .split('\n')
    .map((paragraph) => {
      const lines = [];
      let line = indent;
      for (const word of paragraph.split(' ')) {
        if (line.trim() && (line + word).length > width) {
          lines.push(line.trimEnd());
          line = indent;
        }
        line += `${word} `;
      }
      return [...lines, line.trimEnd()].join('\n');
    })
    .join('\n');
}

/**
 * The nx output as a person wants to read it: everything the agents and Nx said, minus what
 * repeats (output Nx replays for a task served from cache) and the noise of passing tests and
 * stack frames. The full output goes to a log file.
 */
function condense(output) {
  const lines = (color ? output : story.stripAnsi(output)).replace(/\r/g, '').split('\n');
  const shown = [];
  let hidden = 0;
  let replaying = false;
  for (const line of lines) {
    const plain = story.stripAnsi(line);
    if (/^> nx run /.test(plain.trim())) {
      replaying = /\[(local|remote) cache\]/.test(plain);
      shown.push(replaying ? `${line}  ${dim('(Nx cache hit: not run again, output not repeated)')}` : line);
      continue;
    }
    if (/^\s*NX\s/.test(plain)) replaying = false;
    // Passing tests (✔), test-run statistics (ℹ) and stack frames, with or without a [lane] prefix.
    const body = plain.replace(/^\[[\w -]+\] ?/, '');
    const noise = /^\s*(✔|ℹ|at )/.test(body);
    if (replaying || noise) {
      hidden++;
      continue;
    }
    if (plain.trim() === '' && (shown.length === 0 || story.stripAnsi(shown[shown.length - 1]).trim() === '')) continue;
    shown.push(line);
  }
  while (shown.length && story.stripAnsi(shown[shown.length - 1]).trim() === '') shown.pop();
  return { text: shown.map((l) => `    ${l}`).join('\n'), hidden };
}

async function main() {
  console.log(bold('nx-agent-lanes: the export story'));
  say(
    'A team wants customers to download their orders, invoices and activity as CSV. ' +
      (fromGoal ? 'The workspace has no plan yet: decompose proposes one from that goal, and the validator checks it. ' : '') +
      'The plan splits it into four lanes ' +
      '(backend, export-logic, frontend, docs), one AI agent each, working at once in their own git worktrees. ' +
      (args.live
        ? 'This run calls the real Anthropic API with your key: the agents decide for themselves, so the story may differ.'
        : args.agent === 'claude-code'
          ? 'Every lane runs Claude Code (the real binary, through the Agent SDK), answered by a local replay of the ' +
            'Anthropic Messages API: the scripted sessions of examples/export-story/replay in Claude Code\'s tools ' +
            '(tools/demo/build-replay.mjs --agent claude-code). The real plugin, the real nx CLI, but no API key, no network and no cost.'
          : 'The agents are answered by a local replay of the Anthropic Messages API (examples/export-story/replay): ' +
            'the real plugin, the real SDK, the real nx CLI, but no API key, no network and no cost.'),
  );

  const build = ensurePackageBuilt({ log: (line) => say(`\n${line}`) });
  if (!build.built) say(`\nThe plugin is built (dist/packages/nx-agent-lanes is newer than its sources).`);

  const { devDependencies } = story.PROVIDERS[args.agent];
  const extra = Object.entries(devDependencies).map(([name, version]) => `${name}@${version}`);
  say(
    `\nCreating a scratch workspace from examples/export-story${fromGoal ? ' without its plan (features/)' : ''}, outside this repository (in ${tmpdir()})` +
      `${extra.length ? `, with ${extra.join(', ')}` : ''}:`,
  );
  const ws = createStoryWorkspace({
    nxVersion: PINNED_NX_VERSION,
    withoutPlan: fromGoal,
    extraDevDependencies: devDependencies,
    log: (line) => console.log(dim(`    $ ${line}`)),
  });
  say(`    ${bold(ws.root)}`);
  const logs = join(ws.root, 'dist', 'demo-logs');
  mkdirSync(logs, { recursive: true });

  let replay;
  let decomposeUsage;
  let lastStatus = 0;
  let stoppedAt;
  const problems = [];
  try {
    const agentEnv = {};
    if (!args.live) {
      const script = args.agent === 'anthropic' && !fromGoal ? undefined : buildReplayScript({ agent: args.agent, fromGoal });
      const scriptFile = join(logs, `${story.FEATURE}.${args.agent}${fromGoal ? '.from-goal' : ''}.replay.json`);
      if (script) writeFileSync(scriptFile, `${JSON.stringify(script, null, 2)}\n`);
      replay = await story.startReplayBackend({ script });
      Object.assign(agentEnv, replay.env);
      say(`\nThe replay server listens on ${replay.server.url}; ANTHROPIC_BASE_URL points there (ANTHROPIC_API_KEY is a dummy).`);
      if (script) say(`Its script: ${relative(ws.root, scriptFile)}${fromGoal ? ', the decompose session first (tools/demo/decompose-storyboard.mjs)' : ''}.`);
    }
    const ctx = { ws, server: replay?.server, agentEnv, provider: args.agent };
    const init = await story.prepareStory(ctx);
    if (args.agent !== 'anthropic') {
      say(
        fromGoal
          ? `\ndecompose runs with --provider ${args.agent} too; the plan it writes gets agent.provider ${args.agent} before it is committed.`
          : `\nThe plan's agent.provider is ${args.agent} (${story.PLAN_FILE}).`,
      );
    }
    say(`\n$ nx g nx-agent-lanes:init   ${dim(`(what \`nx add nx-agent-lanes\` runs: registers the plugin in nx.json; exit ${init.status})`)}`);
    say(`$ git init && git commit     ${dim(fromGoal ? '(the workspace and the plugin, with no plan yet, as the starting point)' : '(the workspace, the plan and the plugin, as the starting point)')}`);

    const all = fromGoal ? [DECOMPOSE_STEP, ...story.STEPS] : story.STEPS;
    const steps = args.live ? all.filter((s) => ['decompose', 'template-tests', 'plan', 'launch'].includes(s.id)) : all;
    for (const [i, step] of steps.entries()) {
      console.log(`\n${bold(`── ${i + 1}. ${step.title} `.padEnd(96, '─'))}`);
      say(typeof step.says === 'function' ? step.says(ctx) : step.says);
      const o = await step.run(ctx);
      lastStatus = o.status;
      writeFileSync(join(logs, `${String(i + 1).padStart(2, '0')}-${step.id}.log`), `$ ${o.command}\n${story.stripAnsi(o.output)}`);
      const { text, hidden } = condense(o.output);
      console.log(`\n${bold(`$ ${o.command}`)}`);
      if (text.trim() && !step.quiet) console.log(text);
      console.log(dim(`    (exit ${o.status}, ${(o.durationMs / 1000).toFixed(1)} s${hidden ? `; ${hidden} lines of replayed or passing-test output not shown` : ''}; full log: ${relative(ws.root, join(logs, `${String(i + 1).padStart(2, '0')}-${step.id}.log`))})`));
      // Live agents write their own story: report what happened, hold them to nothing.
      const found = args.live ? [] : step.check(o);
      if (found.length) {
        problems.push(...found.map((p) => `${step.id}: ${p}`));
        for (const p of found) console.log(red(`  ✘ ${p}`));
      } else {
        console.log(wrap(`${green('✔')} ${step.summarize(o)}`, 96, '  ').replace(/^ {2}/, '  '));
      }
      if (step.id === DECOMPOSE_STEP.id) decomposeUsage = o.servedUsage;
      if (step.required && o.status !== 0) {
        stoppedAt = step.id;
        problems.push(`${step.id}: exited ${o.status}, so the steps after it did not run`);
        console.log(red(`  ✘ without its result the story cannot go on: see ${relative(ws.root, join(logs, `${String(i + 1).padStart(2, '0')}-${step.id}.log`))}`));
        break;
      }
    }

    const integration = story.readIntegration(ws);
    console.log(`\n${bold('── The result '.padEnd(96, '─'))}`);
    if (integration) {
      const where = args.clean ? 'deleted below with the workspace (--clean)' : 'open the HTML one in a browser';
      say(`Review report (${where}):\n    ${integration.markdown}\n    ${integration.html}`);
      console.log(`\n${renderLanesTable(integration.report)}`);
    } else {
      say('No review report yet: integrate did not run (see the output above for blocked or failed lanes).');
    }
    if (replay) {
      const stats = replay.server.stats();
      const share = story.computeCacheShare(stats.usage);
      say(
        `\nThe replay server answered ${stats.requests} requests (${Object.entries(stats.bySession).map(([s, n]) => `${s} ${n}`).join(', ')}); ` +
          `${Math.round(share * 100)}% of all input tokens were served from the prompt cache.`,
      );
      // Every answer the server sent went through a lane's meter: the report's total must be their price.
      // decompose's answers went through its own meter, before the feature existed: not in the report.
      const served = story.priceServedUsage(decomposeUsage ? diffUsage(decomposeUsage, stats.usage) : stats.usage);
      const total = integration?.report.totals.costUsd;
      const equal = total !== undefined && Math.abs(total - served) < 1e-5;
      if (decomposeUsage) {
        console.log(`\ndecompose, on its own meter (not in the feature's report): $${story.priceServedUsage(decomposeUsage).toFixed(4)}`);
        console.log(`Replay server's whole sum of served usage, priced:         $${story.priceServedUsage(stats.usage).toFixed(4)}`);
      }
      console.log(`\nReport total, every paid attempt of every lane:   $${total === undefined ? '(no report)' : total.toFixed(4)}`);
      console.log(
        `Replay server's own sum of served usage, priced: $${served.toFixed(4)}  ${equal ? green('equal') : red('NOT equal')}` +
          (decomposeUsage ? dim("  (the lanes' sessions: the whole sum less decompose's)") : ''),
      );
      if (!equal && !args.live) problems.push(`the report's total $${total?.toFixed(6)} is not the replay server's served usage priced, $${served.toFixed(6)}`);
    }
  } finally {
    await replay?.server.close();
  }

  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (args.clean) {
    ws.dispose();
    say(`\nDeleted the scratch workspace ${ws.root}.`);
  } else {
    say(`\nThe scratch workspace stays at ${ws.root} (branch lanes/export-feature, the report, the logs in dist/demo-logs).`);
    console.log(`Delete it with:\n    rm -rf ${ws.root} ${join(tmpdir(), 'nx-agent-lanes', `${basename(ws.root)}-*`)}`);
  }
  // A live story that stopped at a step it needs is told as a problem below, not as a lane to answer.
  if (args.live && lastStatus !== 0 && !stoppedAt) {
    say(red(`\nThe live run is not green yet (exit ${lastStatus}). Answer a blocked lane or give feedback as the output says, then run \`npx nx run export-feature:integrate\` in ${ws.root}.`));
    process.exitCode = 1;
  } else if (problems.length) {
    console.log(red(`\nThe story did not go as told (${problems.length} problem${problems.length === 1 ? '' : 's'}, ${seconds} s):`));
    for (const p of problems) console.log(red(`  - ${p}`));
    process.exitCode = 1;
  } else {
    console.log(green(`\nDone in ${seconds} s: every step did what the story says.`));
  }
}

main().catch((error) => {
  console.error(red(`\nThe demo stopped: ${error.stack ?? error}`));
  console.error(`(repository: ${REPO_ROOT})`);
  process.exitCode = 1;
});
