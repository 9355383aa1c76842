/**
 * The workspace as a decompose prompt shows it: every Nx project (name, root, type, tags, the
 * projects it depends on, the command of each test target) and, bounded, the files under the roots
 * the goal most likely touches. Pure: the caller reads the project graph and the files.
 */

/** The part of an Nx project graph this reads (`ProjectGraph` from @nx/devkit fits). */
export interface WorkspaceGraph {
  nodes: Record<string, { name: string; type: string; data: { root: string; tags?: string[]; targets?: Record<string, TargetLike> } }>;
  dependencies: Record<string, ReadonlyArray<{ target: string }>>;
}

export interface TargetLike {
  executor?: string;
  command?: string;
  options?: Record<string, unknown>;
}

export interface ProjectSummary {
  name: string;
  root: string;
  type: string;
  tags: string[];
  dependsOn: string[];
  /** Test-like targets (test, e2e, lint excluded) with the command each runs. */
  tests: Array<{ target: string; command: string }>;
}

export interface FileBounds {
  /** Files listed in all (default 400). */
  total: number;
  /** Files listed per project (default 120). */
  perProject: number;
}

export const DEFAULT_FILE_BOUNDS: FileBounds = { total: 400, perProject: 120 };

const TEST_TARGET = /(^|[-:])(test|tests|spec|e2e|check|vitest|jest)([-:]|$)/i;

/** The command a target runs, as a person would type it. */
export function describeTargetCommand(project: string, target: string, config: TargetLike): string {
  const options = config.options ?? {};
  if (typeof config.command === 'string') return config.command;
  if (typeof options.command === 'string') return options.command;
  if (Array.isArray(options.commands)) {
    return options.commands.map((c) => (typeof c === 'string' ? c : typeof (c as { command?: unknown })?.command === 'string' ? (c as { command: string }).command : '')).filter(Boolean).join(' && ');
  }
  if (config.executor === 'nx:run-script' && typeof options.script === 'string') return `npm run ${options.script}`;
  return `npx nx run ${project}:${target}${config.executor ? ` (${config.executor})` : ''}`;
}

/** The projects the plugin's own features and lanes are not (they are plans, not code). */
function isPlanProject(node: WorkspaceGraph['nodes'][string]): boolean {
  return Object.values(node.data.targets ?? {}).some((t) => typeof t.executor === 'string' && t.executor.startsWith('nx-agent-lanes:'));
}

export function summarizeProjects(graph: WorkspaceGraph): ProjectSummary[] {
  return Object.values(graph.nodes)
    .filter((node) => !isPlanProject(node))
    .map((node) => ({
      name: node.name,
      root: node.data.root,
      type: node.type,
      tags: [...(node.data.tags ?? [])],
      dependsOn: [...new Set((graph.dependencies[node.name] ?? []).map((d) => d.target).filter((t) => t in graph.nodes && !t.startsWith('npm:')))].sort(),
      tests: Object.entries(node.data.targets ?? {})
        .filter(([target]) => TEST_TARGET.test(target))
        .map(([target, config]) => ({ target, command: describeTargetCommand(node.name, target, config) })),
    }))
    .sort((a, b) => a.root.localeCompare(b.root) || a.name.localeCompare(b.name));
}

/** Lowercase words of three letters or more, plural `s` dropped: what a goal and a path share. */
export function wordsOf(text: string): Set<string> {
  return new Set(
    text
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length >= 3)
      .map((w) => (w.length > 3 && w.endsWith('s') ? w.slice(0, -1) : w)),
  );
}

/** How many of the goal's words a project's name, root, tags or file paths use. */
export function scoreProject(goalWords: ReadonlySet<string>, project: ProjectSummary, files: readonly string[]): number {
  const own = wordsOf([project.name, project.root, ...project.tags].join(' '));
  const inFiles = wordsOf(files.join(' '));
  let score = 0;
  for (const word of goalWords) {
    if (own.has(word)) score += 3;
    else if (inFiles.has(word)) score += 1;
  }
  return score;
}

export interface ListedFiles {
  root: string;
  files: string[];
  /** Files under the root not listed. */
  more: number;
}

/**
 * The files of the projects the goal most likely touches, best first, within the bounds. A project
 * with no file listed still appears in the project list, with its file count.
 */
export function selectFiles(options: {
  goal: string;
  projects: readonly ProjectSummary[];
  filesOf: (root: string) => readonly string[];
  bounds?: FileBounds;
}): ListedFiles[] {
  const bounds = options.bounds ?? DEFAULT_FILE_BOUNDS;
  const goalWords = wordsOf(options.goal);
  const ranked = options.projects
    .map((project, index) => {
      const files = options.filesOf(project.root);
      return { project, files, index, score: scoreProject(goalWords, project, files) };
    })
    .sort((a, b) => b.score - a.score || a.index - b.index);
  let left = bounds.total;
  const listed: ListedFiles[] = [];
  for (const { project, files } of ranked) {
    const take = Math.max(0, Math.min(left, bounds.perProject, files.length));
    left -= take;
    listed.push({ root: project.root, files: files.slice(0, take), more: files.length - take });
  }
  return listed;
}

export function renderWorkspace(projects: readonly ProjectSummary[], listed: readonly ListedFiles[]): string {
  const lines = ['## The workspace', '', `Nx projects (${projects.length}):`, ''];
  for (const p of projects) {
    const facts = [`root \`${p.root || '.'}\``, p.type, ...(p.tags.length ? [`tags ${p.tags.join(', ')}`] : []), ...(p.dependsOn.length ? [`depends on ${p.dependsOn.join(', ')}`] : [])];
    lines.push(`- **${p.name}**: ${facts.join('; ')}`);
    for (const t of p.tests) lines.push(`  - target \`${t.target}\`: \`${t.command}\``);
    if (p.tests.length === 0) lines.push('  - no test target');
  }
  const shown = listed.filter((l) => l.files.length > 0);
  if (shown.length) {
    lines.push('', 'Files under the projects the goal most likely touches (read them with your tools; more exist):', '');
    for (const l of shown) {
      lines.push(`${l.root || '.'}/ (${l.files.length + l.more} files${l.more ? `, ${l.more} not listed` : ''}):`);
      for (const f of l.files) lines.push(`  ${f}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
