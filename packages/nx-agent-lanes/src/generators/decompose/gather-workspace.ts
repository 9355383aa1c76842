import { createProjectGraphAsync, getProjects, globAsync, type Tree } from '@nx/devkit';
import { renderWorkspace, selectFiles, summarizeProjects, type WorkspaceGraph } from '../../decompose/describe-workspace';

const SKIPPED = new Set(['node_modules', 'dist', 'tmp', '.nx', '.git', 'coverage']);

/**
 * The workspace section of the decompose prompt: the project graph Nx infers (with its plugins'
 * targets and the dependencies between projects), else, when graph creation fails, the projects
 * the Tree declares, without dependencies.
 */
export async function gatherWorkspace(tree: Tree, goal: string, log: (line: string) => void): Promise<string> {
  const graph = await readGraph(tree, log);
  const projects = summarizeProjects(graph);
  const all = (await globAsync(tree, ['**/*'])).filter((p) => !p.split('/').some((s) => SKIPPED.has(s))).sort();
  const roots = projects.map((p) => p.root).filter((r) => r && r !== '.');
  const filesOf = (root: string) =>
    !root || root === '.'
      ? all.filter((f) => !roots.some((r) => f.startsWith(`${r}/`)))
      : all.filter((f) => f.startsWith(`${root}/`));
  return renderWorkspace(projects, selectFiles({ goal, projects, filesOf }));
}

async function readGraph(tree: Tree, log: (line: string) => void): Promise<WorkspaceGraph> {
  try {
    return await createProjectGraphAsync({ exitOnError: false });
  } catch (error) {
    const first = String((error as Error)?.message ?? error).split('\n')[0];
    log(`the project graph could not be created (${first}); the prompt lists the declared projects without their dependencies or inferred targets`);
    const nodes: WorkspaceGraph['nodes'] = {};
    for (const [name, config] of getProjects(tree)) {
      nodes[name] = { name, type: config.projectType ?? 'lib', data: { root: config.root, tags: config.tags, targets: config.targets } };
    }
    return { nodes, dependencies: {} };
  }
}
