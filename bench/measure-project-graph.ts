import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CreateDependenciesContext, CreateNodesContextV2, ProjectConfiguration } from '@nx/devkit';
import type * as CreateNodesModule from '../packages/nx-agent-lanes/src/plugin/create-nodes';
import type * as CreateDependenciesModule from '../packages/nx-agent-lanes/src/plugin/create-dependencies';
import { formatMs, median, type BenchRow } from './bench-table';
import { assertNxOk, loadBuiltModule, runNx } from './bench-workspace';

export const GRAPH_FEATURES = 200;
export const GRAPH_LANES = 8;
const REPEATS = 3;

/** The plans measured: the usual workspace, one very wide feature, and very many features. */
export const GRAPH_SCENARIOS: readonly GraphScenario[] = [
  { features: GRAPH_FEATURES, lanes: GRAPH_LANES, goalMs: 1000 },
  { features: 1, lanes: 10_000, goalMs: 2000 },
  { features: 1000, lanes: 8, goalMs: 2000 },
];

export interface GraphScenario {
  features: number;
  lanes: number;
  /** The most the plugin may add to `nx show projects` (with minus without it). */
  goalMs: number;
}
/** `features` folders of `lanes` lanes each, every lane owning its own folder (a glob). */
function writeFeatures(root: string, features: number, lanes: number): string[] {
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const files: string[] = [];
  for (let f = 1; f <= features; f++) {
    const name = `feature-${String(f).padStart(String(features).length, '0')}`;
    const dir = `features/${name}`;
    write(`${dir}/contract.md`, `# ${name}\n\nexport${f}(rows): string\n`);
    const laneEntries: Record<string, unknown> = {};
    for (let l = 1; l <= lanes; l++) {
      write(`${dir}/lanes/l${l}.md`, `# lane l${l}\n\nBuild part ${l}.\n`);
      laneEntries[`l${l}`] = {
        spec: `lanes/l${l}.md`,
        owns: [`src/${name}/l${l}/**`],
        forbids: ['src/shared/**'],
        test: `node src/${name}/l${l}/test.js`,
        ...(l > 1 && l % 4 === 0 ? { after: [`l${l - 1}`] } : {}),
      };
    }
    write(
      `${dir}/feature.jsonc`,
      `// generated for the bench\n${JSON.stringify({ goal: `Feature ${f}`, contract: 'contract.md', agent: { provider: 'command', command: 'true' }, lanes: laneEntries, review: { risky: ['src/**/ui/**'] } }, null, 2)}\n`,
    );
    files.push(`${dir}/feature.jsonc`);
  }
  return files;
}

/**
 * Project-graph creation for each of GRAPH_SCENARIOS (features of lanes each): `nx show projects`
 * with the plugin registered and without it (same files, medians of REPEATS, graph cache off so
 * every run builds the graph), and the plugin's createNodes + createDependencies called
 * directly on the same files, which tells the plugin's own code from what Nx does with its projects.
 */
export async function measureProjectGraph(options: { nodeModules: string }): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const scenario of GRAPH_SCENARIOS) rows.push(...(await measureScenario(options.nodeModules, scenario)));
  return rows;
}

async function measureScenario(nodeModules: string, { features, lanes, goalMs }: GraphScenario): Promise<BenchRow[]> {
  const root = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-bench-graph-'));
  try {
    symlinkSync(nodeModules, join(root, 'node_modules'), 'dir');
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'bench-graph', private: true }));
    writeFileSync(join(root, '.gitignore'), 'node_modules\n.nx\n');
    const files = writeFeatures(root, features, lanes);
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: root });
    execFileSync('git', ['add', '-A'], { cwd: root });
    execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'features'], { cwd: root });

    const nxJson = (plugins: unknown[]) => writeFileSync(join(root, 'nx.json'), JSON.stringify({ plugins }));
    const show = async (env: NodeJS.ProcessEnv = {}) =>
      assertNxOk(await runNx({ root, args: ['show', 'projects', '--json'], env: { NX_CACHE_PROJECT_GRAPH: 'false', ...env } }), 'nx show projects');
    const withMs: number[] = [];
    const inProcessMs: number[] = [];
    const withoutMs: number[] = [];
    let projects = 0;
    for (let i = 0; i < REPEATS; i++) {
      nxJson([{ plugin: 'nx-agent-lanes' }]);
      const run = await show();
      withMs.push(run.ms);
      projects = (JSON.parse(run.output.slice(run.output.indexOf('['))) as string[]).length;
      // Nx runs each plugin in a worker process by default; NX_ISOLATE_PLUGINS=false shows what that costs.
      inProcessMs.push((await show({ NX_ISOLATE_PLUGINS: 'false' })).ms);
      nxJson([]);
      withoutMs.push((await show()).ms);
    }
    // A feature is a project, and so is each of its lanes.
    const expected = features * (lanes + 1);
    if (projects !== expected) throw new Error(`nx show projects listed ${projects} projects, expected ${expected}`);

    const { createNodesV2 } = loadBuiltModule<typeof CreateNodesModule>('src/plugin/create-nodes');
    const { createDependencies } = loadBuiltModule<typeof CreateDependenciesModule>('src/plugin/create-dependencies');
    const context: CreateNodesContextV2 = { workspaceRoot: root, nxJsonConfiguration: {} };
    let started = performance.now();
    const results = await createNodesV2[1](files, {}, context);
    const nodesMs = performance.now() - started;
    const configs: Record<string, ProjectConfiguration> = {};
    for (const [, result] of results) for (const config of Object.values(result.projects ?? {})) if (config.name) configs[config.name] = config as ProjectConfiguration;
    // What crosses from the plugin's worker to Nx, and back into it for createDependencies.
    const projectBytes = Buffer.byteLength(JSON.stringify(results));
    started = performance.now();
    const dependencies = await createDependencies({}, { projects: configs, workspaceRoot: root, nxJsonConfiguration: {}, externalNodes: {}, fileMap: { projectFileMap: {}, nonProjectFiles: [] }, filesToProcess: { projectFileMap: {}, nonProjectFiles: [] } } as CreateDependenciesContext);
    const depsMs = performance.now() - started;

    // Nx's own part: the same projects and dependencies from a plugin that only replays them,
    // then the same projects with nothing but their name, root and tags (no targets): what Nx
    // takes for the number of projects alone.
    const replay = async (replayed: unknown): Promise<number[]> => {
      writeReplayPlugin(root, replayed, dependencies);
      nxJson(['./tools/replay-projects.js']);
      const ms: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const run = await show();
        ms.push(run.ms);
        const listed = (JSON.parse(run.output.slice(run.output.indexOf('['))) as string[]).length;
        if (listed !== expected) throw new Error(`the replaying plugin gave ${listed} projects, expected ${expected}`);
      }
      return ms;
    };
    const replayMs = await replay(results);
    const bareMs = await replay(
      results.map(([file, result]) => [
        file,
        { projects: Object.fromEntries(Object.entries(result.projects ?? {}).map(([at, { name, root: projectRoot, tags }]) => [at, { name, root: projectRoot, tags }])) },
      ]),
    );

    const share = median(withMs) - median(withoutMs);
    const label = `project graph, ${features.toLocaleString('en-US')} feature${features === 1 ? '' : 's'} x ${lanes.toLocaleString('en-US')} lanes`;
    return [
      {
        measure: `${label}: nx show projects`,
        figure: `${formatMs(median(withMs))} with plugin, ${formatMs(median(withoutMs))} without`,
        goal: '(context)',
      },
      {
        measure: `${label}: plugin share, NX_ISOLATE_PLUGINS=false`,
        figure: formatMs(median(inProcessMs) - median(withoutMs)),
        goal: '(context)',
      },
      {
        measure: `${label}: plugin share (with - without)`,
        figure: formatMs(share),
        goal: `<= ${goalMs} ms`,
        pass: share <= goalMs,
      },
      {
        measure: `${label}: Nx alone on the same projects (a plugin replaying them)`,
        figure: formatMs(median(replayMs) - median(withoutMs)),
        goal: '(context)',
      },
      {
        measure: `${label}: Nx alone on as many projects with no targets (name, root and tags only)`,
        figure: formatMs(median(bareMs) - median(withoutMs)),
        goal: '(context)',
      },
      {
        measure: `${label}: createNodes + createDependencies in-process`,
        figure: `${formatMs(nodesMs)} + ${formatMs(depsMs)}, ${(projectBytes / 1e6).toFixed(1)} MB of projects`,
        goal: `<= ${goalMs} ms`,
        pass: nodesMs + depsMs <= goalMs,
      },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * A local Nx plugin answering with `results` and `dependencies` as they are: what `nx show
 * projects` costs with these projects when the plugin does no work. Nx loads a local plugin
 * only in a workspace with a tsconfig.
 */
function writeReplayPlugin(root: string, results: unknown, dependencies: unknown): void {
  mkdirSync(join(root, 'tools'), { recursive: true });
  writeFileSync(join(root, 'tools', 'replay-projects.json'), JSON.stringify({ results, dependencies }));
  writeFileSync(
    join(root, 'tools', 'replay-projects.js'),
    [
      "const { readFileSync } = require('node:fs');",
      "const { results, dependencies } = JSON.parse(readFileSync(require('node:path').join(__dirname, 'replay-projects.json'), 'utf8'));",
      "exports.createNodesV2 = ['**/feature.jsonc', async () => results];",
      'exports.createDependencies = () => dependencies;',
      '',
    ].join('\n'),
  );
  writeFileSync(join(root, 'tsconfig.base.json'), JSON.stringify({ compilerOptions: {} }));
}
