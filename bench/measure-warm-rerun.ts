import { readLaneTasks } from '../e2e/utils/lane-tasks';
import type { ScratchWorkspace } from '../e2e/utils/scratch-workspace';
import type { MessagesApiServer } from '../packages/nx-agent-lanes/src/replay/messages-api-server';
import { formatRatio, formatSeconds, median, type BenchRow } from './bench-table';
import { assertNxOk, laneTargets, runNx, type BenchFeature } from './bench-workspace';

export const NOOP_PROJECT = 'noop';

/** A project of `count` trivial cacheable tasks: the floor Nx itself sets for a cached run. */
export function planNoopProject(count: number): Record<string, unknown> {
  const targets = Object.fromEntries(
    Array.from({ length: count }, (_, i) => [`noop-${i + 1}`, { executor: 'nx:run-commands', options: { command: 'node -e 0' }, cache: true }]),
  );
  return { name: NOOP_PROJECT, root: 'tools/noop', targets };
}

const REPEATS = 3;

/**
 * A warm rerun of an 8-lane feature whose lanes all ran: every lane a cache hit, no model
 * request, against Nx replaying the same number of trivial cached tasks in the same workspace
 * (medians of REPEATS runs, taken alternately so drift hits both alike).
 */
export async function measureWarmRerun(options: {
  ws: ScratchWorkspace;
  env: NodeJS.ProcessEnv;
  server: MessagesApiServer;
  feature: BenchFeature;
}): Promise<BenchRow[]> {
  const { ws, env, feature } = options;
  const noopTargets = feature.lanes.map((_, i) => `noop-${i + 1}`).join(',');
  const lanes = () => runNx({ root: ws.root, args: ['run-many', `--targets=${laneTargets(feature.lanes)}`, `--projects=${feature.name}`, '--parallel=8'], env });
  const noops = () => runNx({ root: ws.root, args: ['run-many', `--targets=${noopTargets}`, `--projects=${NOOP_PROJECT}`, '--parallel=8'], env });
  assertNxOk(await noops(), 'warming the trivial tasks');

  const requestsBefore = options.server.stats().requests;
  const laneMs: number[] = [];
  const noopMs: number[] = [];
  let cachedLines = 0;
  for (let i = 0; i < REPEATS; i++) {
    const run = assertNxOk(await lanes(), 'warm rerun of the lanes');
    laneMs.push(run.ms);
    cachedLines = readLaneTasks(run.output).filter(
      (t) => t.feature === feature.name && t.target.startsWith('lane--') && (t.cache === 'local' || t.cache === 'existing-outputs'),
    ).length;
    noopMs.push(assertNxOk(await noops(), 'cached trivial tasks').ms);
  }
  const requests = options.server.stats().requests - requestsBefore;
  const ratio = median(laneMs) / median(noopMs);
  return [
    {
      measure: `warm rerun, ${feature.lanes.length} lanes: model requests`,
      figure: `${requests} (${cachedLines}/${feature.lanes.length} lanes from cache)`,
      goal: '0',
      pass: requests === 0 && cachedLines === feature.lanes.length,
    },
    {
      measure: `warm rerun, ${feature.lanes.length} lanes vs ${feature.lanes.length} trivial cached tasks`,
      figure: `${formatSeconds(median(laneMs))} vs ${formatSeconds(median(noopMs))} = ${formatRatio(ratio)}`,
      goal: '<= 1.50x',
      pass: ratio <= 1.5,
    },
  ];
}
