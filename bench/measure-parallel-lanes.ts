import type { ScratchWorkspace } from '../e2e/utils/scratch-workspace';
import type { ScriptedSession } from '../packages/nx-agent-lanes/src/replay/script-types';
import { formatRatio, formatSeconds, type BenchRow } from './bench-table';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertNxOk, BENCH_REPOSITORY_FILES, laneTargets, measureCommandCpuMs, planLanes, runNx, type BenchFeature, type NxRun } from './bench-workspace';
import { laneFileContent, laneMarker, planWorkingSession } from './lane-sessions';

/** Lane counts compared; each runs as its own feature so every run is a cold one. */
export const PARALLEL_KS = [1, 4, 8, 16] as const;
/** Scripted model latency per turn; a real turn takes seconds to tens of seconds. */
export const TURN_LATENCY_MS = 2000;
export const TURNS_PER_LANE = 3;
/** Goals of the issue, for 6 s of model time per lane on 2 cores and a 20,000-file repository. */
export const PARALLEL_GOALS = { k8: 1.15, k16: 1.3, laneCpuMs: 400 } as const;

/** How Nx runs the lanes: a process per task, or one process per batch (`--batch`). */
export type ParallelMode = 'tasks' | 'batch';
export const PARALLEL_MODES: readonly ParallelMode[] = ['tasks', 'batch'];

/**
 * Run first, with no model latency, to fill the worktree pool: lanes are measured as they run
 * day to day, claiming worktrees earlier lanes gave back. Its wall time is the cold figure.
 */
export const WARM_UP_FEATURE = 'par-warm-up';
const MAX_K = Math.max(...PARALLEL_KS);
/** A worktree per task that runs at once: what NX_AGENT_LANES_POOL_SIZE should be for `--parallel=16`. */
export const BENCH_POOL_SIZE = MAX_K;

/** `par-8` runs a task per process (the warm rerun reuses it), `par-8-batch` with --batch. */
export const parallelFeatureName = (k: number, mode: ParallelMode = 'tasks') => (mode === 'tasks' ? `par-${k}` : `par-${k}-batch`);

export function planParallelFeatures(): BenchFeature[] {
  const feature = (name: string, k: number) => ({ name, lanes: planLanes(name, k), markerOf: laneMarker(name) });
  return [feature(WARM_UP_FEATURE, MAX_K), ...PARALLEL_MODES.flatMap((mode) => PARALLEL_KS.map((k) => feature(parallelFeatureName(k, mode), k)))];
}

export function planParallelSessions(features: readonly BenchFeature[]): ScriptedSession[] {
  return features.flatMap((f) => f.lanes.map((lane) => planWorkingSession(f, lane, f.name === WARM_UP_FEATURE ? 0 : TURN_LATENCY_MS)));
}

const verifyTargets = (feature: BenchFeature) => feature.lanes.map((l) => `verify--${l.name}`).join(',');
const modeArgs = (mode: ParallelMode) => (mode === 'batch' ? ['--batch'] : []);

/** A lane's test runs twice: the agent's run_tests, then verify's. */
const TEST_RUNS_PER_LANE = 2;

/**
 * CPU of one run of a bench lane's test, `node <its file>`, outside the sandbox: what
 * describeLaneCpu takes off, as the goal counts the plugin without the tests. The sandbox
 * around each run stays in the plugin's share.
 */
function measureLaneTestCpuMs(): number | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-bench-test-'));
  try {
    writeFileSync(join(dir, 'l1.js'), laneFileContent('l1'));
    return measureCommandCpuMs(['node', 'l1.js'], dir, 10);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface ModeFigures {
  wallMs: Map<number, number>;
  /** CPU of each lane run (K=1..16), then of the verify runs of K=1 and K=16. */
  laneCpuMs: Map<number, number | undefined>;
  verifyCpuMs: Map<number, number | undefined>;
}

/**
 * Wall time of `nx run-many` over K fresh lanes with --parallel=K (the anthropic provider
 * against the loopback server, TURNS_PER_LANE turns of TURN_LATENCY_MS each), once with a
 * process per task and once with --batch, after WARM_UP_FEATURE filled a pool of BENCH_POOL_SIZE
 * worktrees. With perfect parallelism every K takes as long as
 * K=1; the ratios show what Nx processes, worktrees and git cost when K of them run at once on
 * this machine. Then the verifies of K=1 and K=16, for the CPU each lane costs (see
 * describeLaneCpu).
 */
export async function measureParallelLanes(options: {
  ws: ScratchWorkspace;
  env: NodeJS.ProcessEnv;
  features: readonly BenchFeature[];
  /** Default both; the warm rerun needs `tasks` (it reruns par-8). */
  modes?: readonly ParallelMode[];
}): Promise<{ wallMs: Map<number, number>; rows: BenchRow[] }> {
  // The first nx command of a workspace hashes every file for the project graph (seconds on
  // 20,000 files): done here, so no mode's K=1 pays for it.
  const env = { NX_AGENT_LANES_POOL_SIZE: String(BENCH_POOL_SIZE), ...options.env };
  assertNxOk(await runNx({ root: options.ws.root, args: ['show', 'projects'], env }), 'nx show projects (warm-up)');
  const warmUp = options.features.find((f) => f.name === WARM_UP_FEATURE);
  if (!warmUp) throw new Error(`No bench feature ${WARM_UP_FEATURE}: plan the features with planParallelFeatures().`);
  const cold = await runTargets({ ws: options.ws, env, feature: warmUp, targets: laneTargets(warmUp.lanes), parallel: MAX_K, mode: 'tasks' }, 'lanes with an empty worktree pool');
  const testCpuMs = measureLaneTestCpuMs();
  const figures = new Map<ParallelMode, ModeFigures>();
  for (const mode of options.modes ?? PARALLEL_MODES) {
    figures.set(mode, await measureMode({ ...options, env, mode }));
  }
  const rows: BenchRow[] = [
    {
      measure: `parallel lanes: K=${MAX_K} with an empty worktree pool, no model latency (fills the pool)`,
      figure: `${formatSeconds(cold.ms)}${cold.cpuMs === undefined ? '' : `, ${formatSeconds(cold.cpuMs)} CPU`}`,
      goal: '(context)',
    },
    ...(testCpuMs === undefined ? [] : [{ measure: 'one run of a bench lane\u2019s test (`node <its file>`, unsandboxed), CPU', figure: formatSeconds(testCpuMs), goal: '(context)' }]),
    ...[...figures].flatMap(([mode, f]) => describeMode(mode, f, testCpuMs)),
  ];
  return { wallMs: (figures.get('tasks') ?? [...figures.values()][0]).wallMs, rows };
}

async function measureMode(options: { ws: ScratchWorkspace; env: NodeJS.ProcessEnv; features: readonly BenchFeature[]; mode: ParallelMode }): Promise<ModeFigures> {
  const { mode } = options;
  const featureOf = (k: number) => {
    const feature = options.features.find((f) => f.name === parallelFeatureName(k, mode));
    if (!feature) throw new Error(`No bench feature ${parallelFeatureName(k, mode)}: plan the features with planParallelFeatures().`);
    return feature;
  };
  const run = (k: number, targets: string, what: string): Promise<NxRun> =>
    runTargets({ ws: options.ws, env: options.env, feature: featureOf(k), targets, parallel: k, mode }, what);
  const figures: ModeFigures = { wallMs: new Map(), laneCpuMs: new Map(), verifyCpuMs: new Map() };
  for (const k of PARALLEL_KS) {
    const lanes = await run(k, laneTargets(featureOf(k).lanes), 'lanes in parallel');
    figures.wallMs.set(k, lanes.ms);
    figures.laneCpuMs.set(k, lanes.cpuMs);
  }
  for (const k of [1, 16]) figures.verifyCpuMs.set(k, (await run(k, verifyTargets(featureOf(k)), 'verifies in parallel')).cpuMs);
  return figures;
}

/** `nx run-many` of `targets` in one feature's project, `parallel` at once; throws when a task failed. */
async function runTargets(
  o: { ws: ScratchWorkspace; env: NodeJS.ProcessEnv; feature: BenchFeature; targets: string; parallel: number; mode: ParallelMode },
  what: string,
): Promise<NxRun> {
  const args = ['run-many', `--targets=${o.targets}`, `--projects=${o.feature.name}`, `--parallel=${o.parallel}`, ...modeArgs(o.mode)];
  return assertNxOk(await runNx({ root: o.ws.root, args, env: o.env }), `${o.parallel} ${what} (${o.mode})`);
}

function describeMode(mode: ParallelMode, f: ModeFigures, testCpuMs: number | undefined): BenchRow[] {
  const base = f.wallMs.get(1)!;
  const ratio = (k: number) => f.wallMs.get(k)! / base;
  const modelMs = TURN_LATENCY_MS * TURNS_PER_LANE;
  const label = `parallel lanes${mode === 'batch' ? ' (--batch)' : ''}`;
  const cpu = describeLaneCpu(f, label, testCpuMs);
  return [
    {
      measure: `${label}: wall time K=${PARALLEL_KS.join('/')}`,
      figure: PARALLEL_KS.map((k) => formatSeconds(f.wallMs.get(k)!)).join(' / '),
      goal: `model time per lane ${formatSeconds(modelMs)}, ${BENCH_REPOSITORY_FILES.toLocaleString('en-US')} files`,
    },
    { measure: `${label}: wall time added per extra lane (K=16)`, figure: formatSeconds((f.wallMs.get(16)! - base) / 15), goal: '(context)' },
    { measure: `${label}: K=4 vs K=1`, figure: formatRatio(ratio(4)), goal: '(context)' },
    { measure: `${label}: K=8 vs K=1`, figure: formatRatio(ratio(8)), goal: `<= ${PARALLEL_GOALS.k8.toFixed(2)}x`, pass: ratio(8) <= PARALLEL_GOALS.k8 },
    { measure: `${label}: K=16 vs K=1`, figure: formatRatio(ratio(16)), goal: `<= ${PARALLEL_GOALS.k16.toFixed(2)}x`, pass: ratio(16) <= PARALLEL_GOALS.k16 },
    ...cpu,
  ];
}

/**
 * CPU one more lane costs, its agent task and its verify: what 16 lanes cost over 1, divided by
 * 15, so what every command pays once (Nx's start, the project graph, a batch's module loading)
 * is left out. The first row counts every process of the task: git, the lane's tests (the
 * agent's run_tests and verify's), the anthropic loop. The second, measured against the goal,
 * takes off the tests' own CPU (TEST_RUNS_PER_LANE runs of testCpuMs); the anthropic loop stays
 * in, so it is an upper bound of the plugin's share.
 */
export function describeLaneCpu(f: Pick<ModeFigures, 'laneCpuMs' | 'verifyCpuMs'>, label: string, testCpuMs: number | undefined): BenchRow[] {
  const [l1, l16, v1, v16] = [f.laneCpuMs.get(1), f.laneCpuMs.get(16), f.verifyCpuMs.get(1), f.verifyCpuMs.get(16)];
  if (l1 === undefined || l16 === undefined || v1 === undefined || v16 === undefined) return [];
  const lane = (l16 - l1) / 15;
  const verify = (v16 - v1) / 15;
  const all: BenchRow = {
    measure: `${label}: CPU per extra lane (agent task + verify, incl. git and tests)`,
    figure: `${formatSeconds(lane + verify)} (${formatSeconds(lane)} + ${formatSeconds(verify)})`,
    goal: testCpuMs === undefined ? `<= ${formatSeconds(PARALLEL_GOALS.laneCpuMs)}` : '(context)',
    ...(testCpuMs === undefined ? { pass: lane + verify <= PARALLEL_GOALS.laneCpuMs } : {}),
  };
  if (testCpuMs === undefined) return [all];
  const plugin = lane + verify - TEST_RUNS_PER_LANE * testCpuMs;
  return [
    all,
    {
      measure: `${label}: CPU per extra lane without its ${TEST_RUNS_PER_LANE} test runs (plugin, sandbox, agent loop)`,
      figure: formatSeconds(plugin),
      goal: `<= ${formatSeconds(PARALLEL_GOALS.laneCpuMs)}`,
      pass: plugin <= PARALLEL_GOALS.laneCpuMs,
    },
  ];
}
