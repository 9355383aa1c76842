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

/** `features` folders of `lanes` lanes each, every lane owning its own folder (a glob). */
function writeFeatures(root: string, features: number, lanes: number): string[] {
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const files: string[] = [];
  for (let f = 1; f <= features; f++) {
    const name = `feature-${String(f).padStart(3, '0')}`;
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
 * Project-graph creation with GRAPH_FEATURES features of GRAPH_LANES lanes: `nx show projects`
 * with the plugin registered and without it (same files, medians of REPEATS, graph cache off so
 * every run builds the graph), and the plugin's createNodes + createDependencies called
 * directly on the same files.
 */
export async function measureProjectGraph(options: { nodeModules: string }): Promise<BenchRow[]> {
  const root = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-bench-graph-'));
  try {
    symlinkSync(options.nodeModules, join(root, 'node_modules'), 'dir');
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'bench-graph', private: true }));
    writeFileSync(join(root, '.gitignore'), 'node_modules\n.nx\n');
    const files = writeFeatures(root, GRAPH_FEATURES, GRAPH_LANES);
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
    const expected = GRAPH_FEATURES * (GRAPH_LANES + 1);
    if (projects !== expected) throw new Error(`nx show projects listed ${projects} projects, expected ${expected}`);

    const { createNodesV2 } = loadBuiltModule<typeof CreateNodesModule>('src/plugin/create-nodes');
    const { createDependencies } = loadBuiltModule<typeof CreateDependenciesModule>('src/plugin/create-dependencies');
    const context: CreateNodesContextV2 = { workspaceRoot: root, nxJsonConfiguration: {} };
    let started = performance.now();
    const results = await createNodesV2[1](files, {}, context);
    const nodesMs = performance.now() - started;
    const configs: Record<string, ProjectConfiguration> = {};
    for (const [, result] of results) for (const config of Object.values(result.projects ?? {})) configs[config.name!] = config as ProjectConfiguration;
    started = performance.now();
    await createDependencies({}, { projects: configs, workspaceRoot: root, nxJsonConfiguration: {}, externalNodes: {}, fileMap: { projectFileMap: {}, nonProjectFiles: [] }, filesToProcess: { projectFileMap: {}, nonProjectFiles: [] } } as CreateDependenciesContext);
    const depsMs = performance.now() - started;

    const share = median(withMs) - median(withoutMs);
    return [
      {
        measure: `project graph, ${GRAPH_FEATURES} features x ${GRAPH_LANES} lanes: nx show projects`,
        figure: `${formatMs(median(withMs))} with plugin, ${formatMs(median(withoutMs))} without`,
        goal: '(context)',
      },
      {
        measure: 'project graph: plugin share, NX_ISOLATE_PLUGINS=false',
        figure: formatMs(median(inProcessMs) - median(withoutMs)),
        goal: '(context)',
      },
      {
        measure: 'project graph: plugin share (with - without)',
        figure: formatMs(share),
        goal: '< 1000 ms',
        pass: share < 1000,
      },
      {
        measure: 'project graph: createNodes + createDependencies in-process',
        figure: `${formatMs(nodesMs)} + ${formatMs(depsMs)}`,
        goal: '< 1000 ms',
        pass: nodesMs + depsMs < 1000,
      },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
