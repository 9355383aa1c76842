import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failedLaneTasks } from '../e2e/utils/lane-tasks';
import { BUILT_PACKAGE, createScratchWorkspace, nxEnv, type ScratchWorkspace } from '../e2e/utils/scratch-workspace';

/**
 * The built package's module at `path` (e.g. `src/replay`): the bench measures what users
 * install, not the sources. Callers type it with `import type` of the matching source module.
 */
export function loadBuiltModule<T>(path: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(BUILT_PACKAGE, path)) as T;
}

export interface NxRun {
  code: number | null;
  output: string;
  ms: number;
}

/**
 * Runs the workspace's nx and times it, wall clock, start to exit. Asynchronous on purpose:
 * the loopback Messages API server lives in this process and must keep answering meanwhile.
 */
export function runNx(options: { root: string; args: string[]; env?: NodeJS.ProcessEnv }): Promise<NxRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(options.root, 'node_modules', '.bin', 'nx'), ...options.args], {
      cwd: options.root,
      env: nxEnv({ CI: 'true', ...options.env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, output: stripAnsi(Buffer.concat(chunks).toString('utf8')), ms: performance.now() - started }),
    );
  });
}

/** Nx colours its task lines even when piped; the bench reads them as plain text. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

/** Fails the bench with nx's own words when a run that must succeed does not. */
export function assertNxOk(run: NxRun, what: string): NxRun {
  if (run.code === 0) return run;
  // The whole output, so the failed task's own lines are there to read, however long the run.
  const log = join(mkdtempSync(join(tmpdir(), 'nx-agent-lanes-bench-failure-')), 'nx-output.txt');
  writeFileSync(log, run.output);
  // The prefixes the failed lanes' own lines carry: `[l3]` for an agent, `[verify l3]` for a verify.
  const prefixes = failedLaneTasks(run.output).map((t) => (t.target.startsWith('lane--') ? `[${t.lane}]` : `[verify ${t.lane}]`));
  const taskLines = run.output.split('\n').filter((line) => prefixes.some((p) => line.includes(p)));
  throw new Error(`${what} failed (exit ${run.code}); full output in ${log}\n${taskLines.join('\n')}\n${run.output.slice(-2000)}`);
}

export interface BenchLane {
  name: string;
  /** The one file the lane owns, workspace-relative. */
  owns: string;
  after?: string[];
}

export interface BenchFeature {
  name: string;
  lanes: BenchLane[];
  /** Written into every lane's spec, so the replay server can tell lanes apart. */
  markerOf: (lane: string) => string;
  contract?: string;
}

export const BENCH_MODEL = 'claude-sonnet-4-6';

/** The folder, contract, specs and feature.jsonc of one anthropic-provider feature. */
export function writeFeature(ws: Pick<ScratchWorkspace, 'write'>, feature: BenchFeature): void {
  const root = `features/${feature.name}`;
  ws.write(`${root}/contract.md`, feature.contract ?? `# ${feature.name} contract\n\nEach lane writes one module.\n`);
  const lanes: Record<string, unknown> = {};
  for (const lane of feature.lanes) {
    ws.write(`${root}/lanes/${lane.name}.md`, `# ${lane.name}\n\n${feature.markerOf(lane.name)}\n\nWrite ${lane.owns}.\n`);
    lanes[lane.name] = { spec: `lanes/${lane.name}.md`, owns: [lane.owns], test: `node ${lane.owns}`, ...(lane.after ? { after: lane.after } : {}) };
  }
  ws.write(
    `${root}/feature.jsonc`,
    JSON.stringify(
      {
        goal: `Bench feature ${feature.name}`,
        contract: 'contract.md',
        agent: { provider: 'anthropic', model: BENCH_MODEL, maxTurns: 40, budgetUsd: 5 },
        lanes,
      },
      null,
      2,
    ),
  );
}

/** `count` independent lanes `l1..lN`, each owning `src/<feature>/lN.js`. */
export function planLanes(feature: string, count: number): BenchLane[] {
  return Array.from({ length: count }, (_, i) => ({ name: `l${i + 1}`, owns: `src/${feature}/l${i + 1}.js` }));
}

/** The lane targets of a feature, for `nx run-many --targets=...`. */
export const laneTargets = (lanes: readonly BenchLane[]): string => lanes.map((l) => `lane--${l.name}`).join(',');

/** A scratch workspace with the built plugin installed and registered, and `features` (and `files`, by path) committed. */
export function createBenchWorkspace(options: {
  features: BenchFeature[];
  extraProjects?: Record<string, unknown>;
  files?: Record<string, string>;
}): ScratchWorkspace {
  const ws = createScratchWorkspace('bench');
  ws.write('nx.json', JSON.stringify({ plugins: [{ plugin: 'nx-agent-lanes' }] }, null, 2));
  for (const feature of options.features) writeFeature(ws, feature);
  for (const [root, project] of Object.entries(options.extraProjects ?? {})) ws.write(`${root}/project.json`, JSON.stringify(project, null, 2));
  for (const [path, content] of Object.entries(options.files ?? {})) ws.write(path, content);
  ws.commitAll('bench features');
  return ws;
}
