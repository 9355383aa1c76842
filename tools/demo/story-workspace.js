'use strict';
/**
 * Scratch workspaces, for the demo and every e2e file: a temp dir outside the repository, Nx
 * and the plugin installed from its packed tarball the way a user installs a package, and a git
 * repository. The export story's is the fixture in examples/export-story with one commit.
 *
 * CommonJS on purpose: run-demo.mjs imports it, and so does e2e/story.e2e.spec.ts under Jest,
 * which cannot load ES modules without experimental flags.
 */
const { execFileSync, spawn, spawnSync } = require('node:child_process');
const { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { basename, delimiter, dirname, join } = require('node:path');

const REPO_ROOT = join(__dirname, '..', '..');
const PACKAGE_SOURCE = join(REPO_ROOT, 'packages', 'nx-agent-lanes');
const BUILT_PACKAGE = join(REPO_ROOT, 'dist', 'packages', 'nx-agent-lanes');
const FIXTURE_DIR = join(REPO_ROOT, 'examples', 'export-story');
/** The Nx version the repository pins (root package.json): the one the demo installs. */
const ROOT_DEV_DEPENDENCIES = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).devDependencies;
const PINNED_NX_VERSION = ROOT_DEV_DEPENDENCIES.nx;
/** The Agent SDK the repository pins: what a claude-code story installs (it brings Claude Code with it). */
const AGENT_SDK_PACKAGE = '@anthropic-ai/claude-agent-sdk';
const AGENT_SDK_VERSION = ROOT_DEV_DEPENDENCIES[AGENT_SDK_PACKAGE];

/** Newest modification time (ms) of the files under `path`, skipping folders named in `skip`. */
function newestMtime(path, skip = new Set(['node_modules'])) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (!skip.has(entry)) newest = Math.max(newest, newestMtime(join(path, entry), skip));
  }
  return newest;
}

/**
 * Why the package needs a build, or undefined when dist/ is newer than every source file.
 * The build copies package.json last-but-one, so its mtime in dist/ is the build's time.
 */
function findBuildReason({ packageSource = PACKAGE_SOURCE, builtPackage = BUILT_PACKAGE } = {}) {
  const stamp = join(builtPackage, 'package.json');
  if (!existsSync(stamp)) return `${builtPackage} does not exist`;
  if (newestMtime(packageSource) > statSync(stamp).mtimeMs) return 'the sources changed since the last build';
  return undefined;
}

/** Runs `npm run build` at the repository root when dist/ is missing or stale; says what it did. */
function ensurePackageBuilt({ repoRoot = REPO_ROOT, log = () => {} } = {}) {
  const reason = findBuildReason();
  if (!reason) return { built: false };
  log(`Building the plugin (${reason}): npm run build`);
  const result = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}\n${result.stderr}`);
  return { built: true, reason };
}

/** `npm pack` of the built package into `dest`; returns the tarball's path. */
function packPlugin({ dest, builtPackage = BUILT_PACKAGE }) {
  mkdirSync(dest, { recursive: true });
  const out = execFileSync('npm', ['pack', builtPackage, '--pack-destination', dest, '--json', '--loglevel=error'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return join(dest, JSON.parse(out)[0].filename);
}

/**
 * Environment of every nx call: no daemon, no cloud, no TUI; CI so a blocked lane never waits.
 * With `nodeBinary`, its folder comes first on PATH, so the `node` of Nx's tasks, of lane tests
 * and of agents is the one nx itself runs on.
 */
function createNxEnv(extra = {}, { nodeBinary = process.execPath } = {}) {
  return {
    ...process.env,
    ...nodeEnv(nodeBinary),
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_INTERACTIVE: 'false',
    NX_VERBOSE_LOGGING: 'false',
    CI: 'true',
    ...extra,
  };
}

/** PATH (and npm's own pointers to node, which npx and npm run honour) for another Node; {} for this one. */
function nodeEnv(nodeBinary) {
  if (nodeBinary === process.execPath) return {};
  return { PATH: `${dirname(nodeBinary)}${delimiter}${process.env.PATH ?? ''}`, NODE: nodeBinary, npm_node_execpath: nodeBinary };
}

/** The nx CLI of a workspace, to run with a chosen node; its package.json says where (Nx 24 moved it to dist/). */
function nxBin(root) {
  const nxPackage = join(root, 'node_modules', 'nx');
  const { bin } = JSON.parse(readFileSync(join(nxPackage, 'package.json'), 'utf8'));
  return join(nxPackage, typeof bin === 'string' ? bin : bin.nx);
}

/**
 * The one way tests and the demo make a workspace: a new temp dir with `fixture` copied in but
 * for the paths in `omit` (relative to it), or just `files`; nx@nxVersion, @nx/devkit and the plugin from its packed tarball, and a git
 * repository with no commit yet.
 *
 * The packages come either from `install`, a prepared folder (see e2e/utils/nx-matrix.ts) whose
 * package.json, lockfile, vendor/ and node_modules are copied, not linked, so nothing a test
 * does in the workspace reaches the shared copy; or from `npm install` (offline-first from the
 * npm cache), with `tarball` when the caller packed the plugin already.
 */
function createWorkspace({
  fixture,
  omit = [],
  files = {},
  nxVersion = PINNED_NX_VERSION,
  install,
  tarball,
  extraDevDependencies = {},
  prefix = 'nx-agent-lanes-ws-',
  gitUser = { name: 'Story Demo', email: 'demo@example.com' },
  log = () => {},
} = {}) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  try {
    if (fixture) {
      // The fixture's own .nxignore only hides it from the repository's Nx workspace.
      const skip = new Set(['node_modules', 'dist', '.nx', 'vendor', join(fixture, '.nxignore'), ...omit.map((path) => join(fixture, path))]);
      cpSync(fixture, root, { recursive: true, filter: (src) => !skip.has(basename(src)) && !skip.has(src) });
    }
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    const pkgFile = join(root, 'package.json');
    const pkg = existsSync(pkgFile) ? JSON.parse(readFileSync(pkgFile, 'utf8')) : { name: basename(root), private: true };
    if (install) {
      const installed = JSON.parse(readFileSync(join(install, 'package.json'), 'utf8'));
      if (installed.devDependencies.nx !== nxVersion) throw new Error(`${install} holds nx@${installed.devDependencies.nx}, not nx@${nxVersion}.`);
      log(`copying nx@${nxVersion} and the plugin from ${install}`);
      pkg.devDependencies = { ...installed.devDependencies, ...extraDevDependencies };
      writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
      const lock = JSON.parse(readFileSync(join(install, 'package-lock.json'), 'utf8'));
      lock.name = lock.packages[''].name = pkg.name;
      writeFileSync(join(root, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
      cpSync(join(install, 'vendor'), join(root, 'vendor'), { recursive: true });
      cpSync(join(install, 'node_modules'), join(root, 'node_modules'), { recursive: true, verbatimSymlinks: true });
      if (Object.keys(extraDevDependencies).length) runNpmInstall(root);
    } else {
      const vendored = tarball ? join(root, 'vendor', basename(tarball)) : packPlugin({ dest: join(root, 'vendor') });
      if (tarball) cpSync(tarball, vendored);
      // @nx/devkit pinned with nx: the plugin accepts any 21-24 devkit, and one Nx version per
      // workspace is what Nx supports.
      pkg.devDependencies = {
        nx: nxVersion,
        '@nx/devkit': nxVersion,
        'nx-agent-lanes': `file:vendor/${basename(vendored)}`,
        ...extraDevDependencies,
      };
      writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
      log(`npm install --prefer-offline --no-audit --no-fund   (nx@${nxVersion}, nx-agent-lanes from its packed tarball)`);
      runNpmInstall(root);
    }
    const git = (args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    git(['init', '-q', '-b', 'main']);
    git(['config', 'user.name', gitUser.name]);
    git(['config', 'user.email', gitUser.email]);
    git(['config', 'commit.gpgsign', 'false']);
    return root;
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

function runNpmInstall(root) {
  const install = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (install.status !== 0) throw new Error(`npm install failed in ${root}:\n${install.stdout}\n${install.stderr}`);
}

/**
 * The fixture copied into a new temp dir with nx@nxVersion and the plugin (see createWorkspace),
 * ready for the story's first commit. `nodeBinary` runs nx and, through PATH, its tasks;
 * `install` may be another story workspace, whose packages are copied. `withoutPlan`: the
 * fixture without features/, for a story that starts from the goal (decompose writes the plan).
 */
function createStoryWorkspace({
  nxVersion = PINNED_NX_VERSION,
  withoutPlan = false,
  install,
  extraDevDependencies = {},
  nodeBinary,
  prefix = 'nx-agent-lanes-demo-',
  log = () => {},
} = {}) {
  const omit = withoutPlan ? ['features'] : [];
  const root = createWorkspace({ fixture: FIXTURE_DIR, omit, nxVersion, install, extraDevDependencies, prefix, log });
  return openStoryWorkspace(root, { nodeBinary });
}

/** Helpers over an existing story workspace. */
function openStoryWorkspace(root, { nodeBinary = process.execPath } = {}) {
  const git = (args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  return {
    root,
    nodeBinary,
    /**
     * Runs the workspace's own nx and resolves when it exits; never rejects on a non-zero exit
     * (the story expects some). Asynchronous on purpose: the replay server answering the agents
     * may live in this very process, and a synchronous spawn would stall its event loop.
     */
    nx(args, { env = {} } = {}) {
      const started = Date.now();
      return new Promise((resolve, reject) => {
        const child = spawn(nodeBinary, [nxBin(root), ...args], {
          cwd: root,
          env: createNxEnv(env, { nodeBinary }),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
        child.on('error', reject);
        child.on('close', (status) => resolve({ status, output, durationMs: Date.now() - started }));
      });
    },
    git,
    commitAll(message) {
      git(['add', '-A']);
      git(['commit', '-q', '-m', message]);
      return git(['rev-parse', 'HEAD']);
    },
    path: (rel) => join(root, rel),
    exists: (rel) => existsSync(join(root, rel)),
    read: (rel) => readFileSync(join(root, rel), 'utf8'),
    readJson: (rel) => JSON.parse(readFileSync(join(root, rel), 'utf8')),
    /** Removes the workspace and the folder its lane worktrees lived in (see src/git/lane-worktree.ts). */
    dispose() {
      rmSync(root, { recursive: true, force: true });
      const worktrees = join(tmpdir(), 'nx-agent-lanes');
      const prefix = `${basename(root)}-`;
      for (const entry of existsSync(worktrees) ? readdirSync(worktrees) : []) {
        if (entry.startsWith(prefix)) rmSync(join(worktrees, entry), { recursive: true, force: true });
      }
    },
  };
}

module.exports = {
  REPO_ROOT,
  BUILT_PACKAGE,
  FIXTURE_DIR,
  PINNED_NX_VERSION,
  AGENT_SDK_PACKAGE,
  AGENT_SDK_VERSION,
  findBuildReason,
  ensurePackageBuilt,
  packPlugin,
  createNxEnv,
  nodeEnv,
  nxBin,
  createWorkspace,
  createStoryWorkspace,
  openStoryWorkspace,
};
