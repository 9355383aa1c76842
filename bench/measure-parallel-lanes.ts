import type { ScratchWorkspace } from '../e2e/utils/scratch-workspace';
import type { ScriptedSession } from '../packages/nx-agent-lanes/src/replay/script-types';
import { formatRatio, formatSeconds, type BenchRow } from './bench-table';
import { assertNxOk, laneTargets, planLanes, runNx, type BenchFeature } from './bench-workspace';
import { laneMarker, planWorkingSession } from './lane-sessions';

/** Lane counts compared; each runs as its own feature so every run is a cold one. */
export const PARALLEL_KS = [1, 4, 8, 16] as const;
/** Scripted model latency per turn; a real turn takes seconds to tens of seconds. */
export const TURN_LATENCY_MS = 2000;
export const TURNS_PER_LANE = 3;

export const parallelFeatureName = (k: number) => `par-${k}`;

export function planParallelFeatures(): BenchFeature[] {
  return PARALLEL_KS.map((k) => {
    const name = parallelFeatureName(k);
    return { name, lanes: planLanes(name, k), markerOf: laneMarker(name) };
  });
}

export function planParallelSessions(features: readonly BenchFeature[]): ScriptedSession[] {
  return features.flatMap((f) => f.lanes.map((lane) => planWorkingSession(f, lane, TURN_LATENCY_MS)));
}

/**
 * Wall time of `nx run-many` over K fresh lanes with --parallel=K (the anthropic provider
 * against the loopback server, TURNS_PER_LANE turns of TURN_LATENCY_MS each). With perfect
 * parallelism every K takes as long as K=1; the ratios show what Nx processes, worktrees and
 * git cost when K of them run at once on this machine.
 */
export async function measureParallelLanes(options: {
  ws: ScratchWorkspace;
  env: NodeJS.ProcessEnv;
  features: readonly BenchFeature[];
}): Promise<{ wallMs: Map<number, number>; rows: BenchRow[] }> {
  const wallMs = new Map<number, number>();
  for (const k of PARALLEL_KS) {
    const feature = options.features.find((f) => f.name === parallelFeatureName(k))!;
    const run = await runNx({
      root: options.ws.root,
      args: ['run-many', `--targets=${laneTargets(feature.lanes)}`, `--projects=${feature.name}`, `--parallel=${k}`],
      env: options.env,
    });
    assertNxOk(run, `${k} lanes in parallel`);
    wallMs.set(k, run.ms);
  }
  const base = wallMs.get(1)!;
  const ratio = (k: number) => wallMs.get(k)! / base;
  const modelMs = TURN_LATENCY_MS * TURNS_PER_LANE;
  return {
    wallMs,
    rows: [
      {
        measure: `parallel lanes: wall time K=${PARALLEL_KS.join('/')}`,
        figure: PARALLEL_KS.map((k) => formatSeconds(wallMs.get(k)!)).join(' / '),
        goal: `model time per lane ${formatSeconds(modelMs)}`,
      },
      {
        measure: 'parallel lanes: wall time added per extra lane (K=16)',
        figure: formatSeconds((wallMs.get(16)! - base) / 15),
        goal: '(context)',
      },
      { measure: 'parallel lanes: K=4 vs K=1', figure: formatRatio(ratio(4)), goal: '(context)' },
      { measure: 'parallel lanes: K=8 vs K=1', figure: formatRatio(ratio(8)), goal: '<= 1.20x', pass: ratio(8) <= 1.2 },
      { measure: 'parallel lanes: K=16 vs K=1', figure: formatRatio(ratio(16)), goal: '<= 1.50x', pass: ratio(16) <= 1.5 },
    ],
  };
}
