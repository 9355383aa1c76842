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
import { ANSWER_FEATURE, measureTargetedRerun, planAnswerFeature, planAnswerSessions } from './measure-targeted-rerun';
import { measureWarmRerun, NOOP_PROJECT, planNoopProject } from './measure-warm-rerun';
import { measureWorktreeSetup } from './measure-worktree-setup';

async function main(): Promise<void> {
  const started = performance.now();
  const loadAtStart = loadavg()[0];
  const step = (what: string) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0)} s] ${what}`);
  const { startMessagesApiServer } = loadBuiltModule<typeof Replay>('src/replay');

  const parallel = planParallelFeatures();
  const answer = planAnswerFeature();
  const cache = planCacheFeature();
  const server = await startMessagesApiServer({
    script: { sessions: [...planParallelSessions(parallel), ...planAnswerSessions(answer), ...planCacheSessions(cache)] },
  });
  // Any key will do for the loopback server; the lanes' hash covers ANTHROPIC_BASE_URL (a new
  // port per bench run), so every bench run starts cold.
  const env = { ANTHROPIC_API_KEY: 'sk-bench-not-a-real-key', ANTHROPIC_BASE_URL: server.url };
  const rows: BenchRow[] = [];
  let ws: ScratchWorkspace | undefined;
  try {
    step('creating the bench workspace (npm install of the packed plugin)');
    ws = createBenchWorkspace({
      features: [...parallel, answer, cache],
      extraProjects: { [`tools/${NOOP_PROJECT}`]: planNoopProject(8) },
    });
    step(`parallel lanes (${TURNS_PER_LANE} turns x ${TURN_LATENCY_MS} ms per lane)`);
    rows.push(...(await measureParallelLanes({ ws, env, features: parallel })).rows);
    step('warm rerun of the 8-lane feature');
    rows.push(...(await measureWarmRerun({ ws, env, server, feature: parallel.find((f) => f.name === parallelFeatureName(8))! })));
    step(`targeted rerun after one answer (${ANSWER_FEATURE})`);
    rows.push(...(await measureTargetedRerun({ ws, env, server, feature: answer })));
    step(`prompt cache over a 20-turn lane (${CACHE_FEATURE})`);
    rows.push(...(await measurePromptCache({ ws, env, server, feature: cache })));
    step('worktree set-up on a generated 5,000-file repository');
    rows.push(...(await measureWorktreeSetup()));
    step('project graph with 200 features of 8 lanes');
    rows.push(...(await measureProjectGraph({ nodeModules: join(ws.root, 'node_modules') })));
  } finally {
    await server.close();
    ws?.dispose();
  }
  const total = (performance.now() - started) / 1000;
  console.log(
    `\nnx-agent-lanes bench: Node ${process.version}, ${cpus().length} cores, ${new Date().toISOString()}, ${total.toFixed(0)} s, ` +
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
