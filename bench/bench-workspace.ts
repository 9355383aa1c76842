import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failedLaneTasks } from '../e2e/utils/lane-tasks';
import { stripAnsi } from '../tools/demo/export-story';
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
  /**
   * CPU time (user + system) of the nx command and every process it waited for: its task
   * processes and theirs (git, tests, agents). Undefined where /usr/bin/time is missing.
   */
  cpuMs?: number;
}

/** GNU time, which reports the CPU of a command's whole process tree; the bench reads CPU only where it is. */
const GNU_TIME = '/usr/bin/time';

/**
 * Runs the workspace's nx and times it, wall clock, start to exit, and its CPU (see NxRun).
 * Asynchronous on purpose: the loopback Messages API server lives in this process and must
 * keep answering meanwhile.
 */
export function runNx(options: { root: string; args: string[]; env?: NodeJS.ProcessEnv }): Promise<NxRun> {
  const started = performance.now();
  const { argv: [command, ...args], cpuFile } = underGnuTime([process.execPath, join(options.root, 'node_modules', '.bin', 'nx'), ...options.args]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.root,
      env: nxEnv({ CI: 'true', ...options.env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        // Nx colours its task lines even when piped; the bench reads them as plain text.
        output: stripAnsi(Buffer.concat(chunks).toString('utf8')),
        ms: performance.now() - started,
        cpuMs: cpuFile ? readCpuMs(cpuFile) : undefined,
      }),
    );
  });
}

/**
 * The CPU (user + system, its whole process tree) of one run of `command` in `cwd`, the mean of
 * `runs` runs; undefined where /usr/bin/time is missing or a run failed.
 */
export function measureCommandCpuMs(command: readonly string[], cwd: string, runs: number): number | undefined {
  if (!existsSync(GNU_TIME)) return undefined;
  let total = 0;
  for (let i = 0; i < runs; i++) {
    const { argv: [timer, ...args], cpuFile } = underGnuTime(command);
    const run = spawnSync(timer, args, { cwd, stdio: 'ignore' });
    const ms = cpuFile ? readCpuMs(cpuFile) : undefined;
    if (run.status !== 0 || ms === undefined) return undefined;
    total += ms;
  }
  return total / runs;
}

/** `command` run under GNU time writing its CPU to `cpuFile` (read it with readCpuMs), or `command` alone where GNU time is missing. */
function underGnuTime(command: readonly string[]): { argv: string[]; cpuFile?: string } {
  if (!existsSync(GNU_TIME)) return { argv: [...command] };
  const cpuFile = join(mkdtempSync(join(tmpdir(), 'nx-agent-lanes-bench-cpu-')), 'cpu');
  return { argv: [GNU_TIME, '-f', '%U %S', '-o', cpuFile, ...command], cpuFile };
}

/** `%U %S` as GNU time wrote it (its last line: a killed command gets a line about the signal before it). */
function readCpuMs(file: string): number | undefined {
  try {
    const last = readFileSync(file, 'utf8').trim().split('\n').pop() ?? '';
    const [user, system] = last.split(' ').map(Number);
    return Number.isFinite(user) && Number.isFinite(system) ? (user + system) * 1000 : undefined;
  } catch {
    return undefined;
  } finally {
    rmSync(join(file, '..'), { recursive: true, force: true });
  }
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

/** Files in the bench repository besides the features: the size the goals are stated for. */
export const BENCH_REPOSITORY_FILES = 20_000;

/**
 * A scratch workspace with the built plugin installed and registered, `features` (and `files`,
 * by path) committed, and as many generated files beside them as make the repository
 * `repositoryFiles` files (default BENCH_REPOSITORY_FILES): every lane's worktree, Nx's file
 * hashing and git's status walk pay for a repository of that size.
 */
export function createBenchWorkspace(options: {
  features: BenchFeature[];
  extraProjects?: Record<string, unknown>;
  files?: Record<string, string>;
  repositoryFiles?: number;
}): ScratchWorkspace {
  const ws = createScratchWorkspace('bench');
  ws.write('nx.json', JSON.stringify({ plugins: [{ plugin: 'nx-agent-lanes' }] }, null, 2));
  for (const feature of options.features) writeFeature(ws, feature);
  for (const [root, project] of Object.entries(options.extraProjects ?? {})) ws.write(`${root}/project.json`, JSON.stringify(project, null, 2));
  for (const [path, content] of Object.entries(options.files ?? {})) ws.write(path, content);
  const tracked = ws.git(['ls-files', '--cached', '--others', '--exclude-standard']).split('\n').filter(Boolean).length;
  writeFillerFiles(ws.root, Math.max(0, (options.repositoryFiles ?? BENCH_REPOSITORY_FILES) - tracked));
  ws.commitAll('bench features');
  return ws;
}

/** Folders of files no lane owns and no project claims, 100 a folder: a few seconds for 20,000. */
export function writeFillerFiles(root: string, count: number): void {
  for (let i = 0; i < count; i++) {
    const dir = join(root, 'filler', `d${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `f${i % 100}.js`), `module.exports = ${i};\n`);
  }
}
