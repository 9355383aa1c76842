import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createWorkspace, nodeEnv, nxBin, packPlugin as packBuiltPlugin } from '../../tools/demo/story-workspace';

export const REPO_ROOT = join(__dirname, '..', '..');
export const BUILT_PACKAGE = join(REPO_ROOT, 'dist', 'packages', 'nx-agent-lanes');
export const NX_VERSION = (require(join(REPO_ROOT, 'package.json')) as { devDependencies: Record<string, string> })
  .devDependencies.nx;

/** Environment for every nx call in tests: no daemon, no cloud, no TUI, plain output. */
export function nxEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_SKIP_NX_CACHE: undefined,
    NX_VERBOSE_LOGGING: 'false',
    NX_INTERACTIVE: 'false',
    ...extra,
  };
}

/** Packs the built package once per test process; returns the tarball path. */
let tarball: string | undefined;
export function packPlugin(): string {
  if (tarball && existsSync(tarball)) return tarball;
  if (!existsSync(join(BUILT_PACKAGE, 'package.json'))) {
    throw new Error(`No built package at ${BUILT_PACKAGE}: run \`npm run build\` first (npm test does).`);
  }
  tarball = packBuiltPlugin({ dest: mkdtempSync(join(tmpdir(), 'nx-agent-lanes-pack-')), builtPackage: BUILT_PACKAGE });
  return tarball;
}

export interface ScratchWorkspace {
  root: string;
  nodeBinary: string;
  /** Runs the workspace's own nx CLI. */
  nx(args: string[], options?: { env?: NodeJS.ProcessEnv; allowFailure?: boolean }): SpawnSyncReturns<string>;
  git(args: string[]): string;
  write(path: string, content: string): void;
  read(path: string): string;
  commitAll(message: string): string;
  dispose(): void;
}

export interface ScratchWorkspaceOptions {
  extraDevDependencies?: Record<string, string>;
  /** Default: the version the repository pins. */
  nxVersion?: string;
  /** A prepared install to copy instead of npm install (see prepareMatrixInstall). */
  install?: string;
  /** The node that runs nx and, first on PATH, its tasks; default this process's. */
  nodeBinary?: string;
}

/**
 * A fresh Nx workspace in a temp dir outside the repository, with nx and the plugin installed
 * from its packed tarball, and a git repository (see createWorkspace).
 */
export function createScratchWorkspace(name: string, options: ScratchWorkspaceOptions = {}): ScratchWorkspace {
  const { nodeBinary = process.execPath } = options;
  const root = createWorkspace({
    prefix: `nx-agent-lanes-e2e-${name}-`,
    files: {
      'package.json': JSON.stringify({ name: `scratch-${name}`, private: true }, null, 2),
      'nx.json': JSON.stringify({ $schema: './node_modules/nx/schemas/nx-schema.json' }, null, 2),
      '.gitignore': 'node_modules\ndist\n.nx\nvendor\n',
    },
    nxVersion: options.nxVersion ?? NX_VERSION,
    install: options.install,
    tarball: options.install ? undefined : packPlugin(),
    extraDevDependencies: options.extraDevDependencies,
    gitUser: { name: 'E2E', email: 'e2e@example.com' },
  });
  const git = (args: string[]) =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

  const ws: ScratchWorkspace = {
    root,
    nodeBinary,
    nx(args, opts = {}) {
      const result = spawnSync(nodeBinary, [nxBin(root), ...args], {
        cwd: root,
        encoding: 'utf8',
        env: nxEnv({ ...nodeEnv(nodeBinary), ...opts.env }),
        maxBuffer: 64 * 1024 * 1024,
      });
      if (result.status !== 0 && !opts.allowFailure) {
        throw new Error(`nx ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
      }
      return result;
    },
    git,
    write(path, content) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    },
    read: (path) => readFileSync(join(root, path), 'utf8'),
    commitAll(message) {
      git(['add', '-A']);
      git(['commit', '-q', '-m', message]);
      return git(['rev-parse', 'HEAD']);
    },
    dispose() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  return ws;
}

/** Adds a minimal Nx project (project.json + one source file) to a workspace. */
export function addProject(ws: ScratchWorkspace, root: string, files: Record<string, string> = {}): void {
  const name = root.split('/').pop()!;
  ws.write(`${root}/project.json`, JSON.stringify({ name, root, sourceRoot: `${root}/src`, targets: {} }, null, 2));
  for (const [path, content] of Object.entries(files)) ws.write(`${root}/${path}`, content);
  if (!Object.keys(files).length) ws.write(`${root}/src/index.ts`, `export const ${name.replace(/\W/g, '_')} = 1;\n`);
}

/** Lists names in a directory, or [] when it does not exist. */
export function listDir(path: string): string[] {
  return existsSync(path) ? readdirSync(path) : [];
}

/** One run of `fixtures/scripted-agent.js` (or slow-agent.js), as it logs itself to $AGENT_LOG. */
export interface AgentRun {
  lane: string;
  start: number;
  end: number;
  blocked?: boolean;
}

/** The agent runs logged so far, oldest first; none when nothing ran yet. */
export function readAgentRuns(logFile: string): AgentRun[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AgentRun);
}

/** How many times each lane's agent ran while `action` ran, from the agent log; {} when none did. */
export async function countAgentRuns(logFile: string, action: () => unknown): Promise<Record<string, number>> {
  const before = readAgentRuns(logFile).length;
  await action();
  const counts: Record<string, number> = {};
  for (const run of readAgentRuns(logFile).slice(before)) counts[run.lane] = (counts[run.lane] ?? 0) + 1;
  return counts;
}
