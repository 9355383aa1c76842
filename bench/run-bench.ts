/*
 * `npm run bench`: the plugin's speed and cost figures, measured side by side in one run on this machine,
 * printed as one table with each goal and PASS/MISS. Not part of `npm test`: it takes minutes
 * and its figures depend on the machine. Everything runs against the built package.
 */
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { ScratchWorkspace } from '../e2e/utils/scratch-workspace';
import type * as Replay from '../packages/nx-agent-lanes/src/replay';
import { formatBenchTable, type BenchRow } from './bench-table';
import { createBenchWorkspace, loadBuiltModule } from './bench-workspace';
import { CACHE_FEATURE, measurePromptCache, planCacheFeature, planCacheSessions } from './measure-prompt-cache';
import { measureParallelLanes, parallelFeatureName, planParallelFeatures, planParallelSessions, TURN_LATENCY_MS, TURNS_PER_LANE } from './measure-parallel-lanes';
import { measureProjectGraph } from './measure-project-graph';
import { measureSandboxedLanes, measureSandboxedStart, planSandboxFiles, SANDBOX_LANE_REPEATS } from './measure-sandbox';
import { ANSWER_FEATURE, measureTargetedRerun, planAnswerFeature, planAnswerSessions } from './measure-targeted-rerun';
import { measureWarmRerun, NOOP_PROJECT, planNoopProject } from './measure-warm-rerun';
import { GENERATED_FILES, measureWorktreeSetup } from './measure-worktree-setup';

/** The measurements, by the names BENCH_ONLY picks them with, in the order they run. */
const STEPS = ['parallel', 'warm', 'targeted', 'cache', 'worktree', 'graph', 'sandbox'] as const;
type Step = (typeof STEPS)[number];

/**
 * BENCH_ONLY=sandbox,graph runs those measurements alone; unset or empty, all of them. `warm`
 * reruns the lanes `parallel` ran, so it brings `parallel` along.
 */
function selectSteps(only: string | undefined): Set<Step> {
  const names = (only ?? '').split(',').map((n) => n.trim()).filter(Boolean);
  if (!names.length) return new Set(STEPS);
  const unknown = names.filter((n) => !(STEPS as readonly string[]).includes(n));
  if (unknown.length) {
    console.error(`BENCH_ONLY names ${unknown.join(', ')}, which the bench does not have. Pick from: ${STEPS.join(', ')} (comma-separated).`);
    process.exit(2);
  }
  const steps = new Set(names as Step[]);
  if (steps.has('warm')) steps.add('parallel');
  return steps;
}

async function main(): Promise<void> {
  const steps = selectSteps(process.env.BENCH_ONLY);
  const runs = (s: Step) => steps.has(s);
  const started = performance.now();
  const loadAtStart = loadavg()[0];
  const step = (what: string) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0)} s] ${what}`);
  const { startMessagesApiServer } = loadBuiltModule<typeof Replay>('src/replay');

  const parallel = runs('parallel') ? planParallelFeatures() : [];
  const answer = runs('targeted') ? [planAnswerFeature()] : [];
  const cache = runs('cache') ? [planCacheFeature()] : [];
  const server = await startMessagesApiServer({
    script: { sessions: [...planParallelSessions(parallel), ...answer.flatMap(planAnswerSessions), ...cache.flatMap(planCacheSessions)] },
  });
  // Any key will do for the loopback server; the lanes' hash covers ANTHROPIC_BASE_URL (a new
  // port per bench run), so every bench run starts cold.
  const env = { ANTHROPIC_API_KEY: 'sk-bench-not-a-real-key', ANTHROPIC_BASE_URL: server.url };
  const rows: BenchRow[] = [];
  let ws: ScratchWorkspace | undefined;
  try {
    // Every measurement but the worktree one runs in (or installs from) the bench workspace.
    if ([...steps].some((s) => s !== 'worktree')) {
      step('creating the bench workspace (npm install of the packed plugin)');
      ws = createBenchWorkspace({
        features: [...parallel, ...answer, ...cache],
        extraProjects: runs('warm') ? { [`tools/${NOOP_PROJECT}`]: planNoopProject(8) } : {},
        files: runs('sandbox') ? planSandboxFiles() : {},
      });
    }
    if (ws && runs('parallel')) {
      step(`parallel lanes (${TURNS_PER_LANE} turns x ${TURN_LATENCY_MS} ms per lane)`);
      rows.push(...(await measureParallelLanes({ ws, env, features: parallel })).rows);
    }
    if (ws && runs('warm')) {
      step('warm rerun of the 8-lane feature');
      rows.push(...(await measureWarmRerun({ ws, env, server, feature: parallel.find((f) => f.name === parallelFeatureName(8))! })));
    }
    if (ws && answer.length) {
      step(`targeted rerun after one answer (${ANSWER_FEATURE})`);
      rows.push(...(await measureTargetedRerun({ ws, env, server, feature: answer[0] })));
    }
    if (ws && cache.length) {
      step(`prompt cache over a 20-turn lane (${CACHE_FEATURE})`);
      rows.push(...(await measurePromptCache({ ws, env, server, feature: cache[0] })));
    }
    if (runs('worktree')) {
      step(`worktree set-up on a generated ${GENERATED_FILES.toLocaleString('en-US')}-file repository: raw, cold and pooled`);
      rows.push(...(await measureWorktreeSetup()));
    }
    if (ws && runs('graph')) {
      step('project graph: 200 x 8, 1 x 10,000 and 1,000 x 8 lanes');
      rows.push(...(await measureProjectGraph({ nodeModules: join(ws.root, 'node_modules') })));
    }
    if (ws && runs('sandbox')) {
      step(`sandboxed vs unsandboxed lanes (${SANDBOX_LANE_REPEATS} runs each), then process starts through runSandboxed`);
      rows.push(...(await measureSandboxedLanes({ ws, env })));
      rows.push(...(await measureSandboxedStart()));
    }
  } finally {
    await server.close();
    ws?.dispose();
  }
  const total = (performance.now() - started) / 1000;
  console.log(
    `\nnx-agent-lanes bench${steps.size < STEPS.length ? ` (BENCH_ONLY: ${[...steps].join(', ')})` : ''}: Node ${process.version}, ${cpus().length} cores, ${new Date().toISOString()}, ${total.toFixed(0)} s, ` +
      `load average ${loadAtStart.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end\n`,
  );
  console.log(formatBenchTable(rows));
  const missed = rows.filter((r) => r.pass === false).length;
  console.log(`\n${rows.filter((r) => r.pass !== undefined).length - missed} goals met, ${missed} missed.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exit(1);
});
