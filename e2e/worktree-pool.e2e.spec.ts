import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addProject, createScratchWorkspace, nxEnv, type ScratchWorkspace } from './utils/scratch-workspace';

/**
 * Lane worktrees reused through the pool, through nx in a real workspace with the OS sandbox:
 * lane a leaves tracked, untracked and ignored files behind; lane b, given a's worktree, sees
 * exactly what it sees in a fresh worktree and none of a's files; a new commit on the base
 * reaches the next lane; clean-lanes empties the pool.
 */
describe('the worktree pool under nx', () => {
  let ws: ScratchWorkspace;
  let scratch: string;
  let worktreesRoot: string;
  const FEATURE = 'pool-feature';

  /**
   * The lanes' agent. Lane a dirties its worktree; lane b reports what its worktree holds (every
   * file with its mode and hash, git's untracked and ignored listings, its HEAD and git folder)
   * in libs/b/seen.json, which its patch carries out of the sandbox.
   */
  const AGENT = `
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const write = (file, text) => { fs.mkdirSync(path.dirname(file), { recursive: true }); fs.writeFileSync(file, text); };
if (process.env.LANE_NAME === 'a') {
  write('libs/a/src/index.ts', 'export const a = "changed by lane a";\\n');
  write('libs/a/src/new-from-a.ts', 'export const fromA = 1;\\n');
  write('libs/a/node_modules/x/index.js', 'module.exports = "lane a";\\n');
  write('dist/from-a/out.js', 'built by lane a\\n');
  write('vendor/from-a/v.js', 'vendored by lane a\\n');
  fs.mkdirSync('empty-from-a');
  fs.chmodSync('libs/b/src', 0o700);
  console.log('a: dirtied its worktree');
} else if (process.env.LANE_NAME === 'c') {
  console.log('c: working until killed');
  setInterval(() => {}, 1000);
} else {
  const files = [];
  const walk = (dir) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const rel = dir === '.' ? name : dir + '/' + name;
      if (rel === '.git' || rel === 'node_modules') continue;
      const stat = fs.lstatSync(rel);
      const mode = (stat.mode & 0o777).toString(8);
      if (stat.isDirectory()) { files.push('dir ' + rel + ' ' + mode); walk(rel); }
      else files.push('file ' + rel + ' ' + mode + ' ' + crypto.createHash('sha1').update(fs.readFileSync(rel)).digest('hex'));
    }
  };
  walk('.');
  const git = (args) => execFileSync('git', args, { encoding: 'utf8' });
  const seen = {
    files,
    others: git(['ls-files', '-o']),
    status: git(['status', '--ignored', '--porcelain']),
    head: git(['rev-parse', 'HEAD']).trim(),
    gitDir: path.basename(git(['rev-parse', '--git-dir']).trim()),
  };
  write('libs/b/seen.json', JSON.stringify(seen) + '\\n');
  console.log('b: reported its worktree');
}
`;

  const env = (extra: NodeJS.ProcessEnv = {}) => ({ NX_AGENT_LANES_WORKTREES: worktreesRoot, CI: 'true', ...extra });
  const runLane = (lane: string, extra: NodeJS.ProcessEnv = {}) => ws.nx(['run', `${FEATURE}:lane--${lane}`, '--skip-nx-cache'], { env: env(extra) });
  const poolDir = () => join(worktreesRoot, '.pool');
  const pooled = () => (existsSync(poolDir()) ? readdirSync(poolDir()) : []);

  interface Seen {
    files: string[];
    others: string;
    status: string;
    head: string;
    gitDir: string;
  }
  /** What lane b reported, from the seen.json its patch adds. */
  const seenByB = (): Seen => {
    const patch = ws.read(`dist/agent-lanes/${FEATURE}/b/lane.patch`);
    const line = /^\+(\{"files".*)$/m.exec(patch)?.[1];
    if (!line) throw new Error(`lane b's patch holds no seen.json:\n${patch}`);
    return JSON.parse(line) as Seen;
  };
  /** Every file under a folder but its .git, as lane b's agent lists them. */
  const walk = (root: string) =>
    execFileSync(process.execPath, ['-e', AGENT.slice(AGENT.indexOf('const files = [];'), AGENT.indexOf('const git = ')) + 'console.log(JSON.stringify(files));'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, LANE_NAME: 'b' },
    });
  const worktreePaths = () => ws.git(['worktree', 'list', '--porcelain']).split('\n').filter((l) => l.startsWith('worktree ')).map((l) => l.slice('worktree '.length));

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-e2e-pool-'));
    worktreesRoot = join(scratch, 'worktrees');
    ws = createScratchWorkspace('pool');
    addProject(ws, 'libs/a');
    addProject(ws, 'libs/b', { 'src/index.ts': 'export const b = 1;\n' });
    addProject(ws, 'libs/c');
    ws.write('tools/pool-agent.js', AGENT);
    ws.nx(['g', 'nx-agent-lanes:init']);
    ws.nx(['g', 'nx-agent-lanes:feature', FEATURE, '--goal', 'Lanes that share worktrees']);
    ws.nx(['g', 'nx-agent-lanes:lane', FEATURE, 'a', '--owns', 'libs/a/**', '--test', 'node -e 0']);
    ws.nx(['g', 'nx-agent-lanes:lane', FEATURE, 'b', '--owns', 'libs/b/**', '--test', 'node -e 0']);
    ws.nx(['g', 'nx-agent-lanes:lane', FEATURE, 'c', '--owns', 'libs/c/**', '--test', 'node -e 0']);
    const planFile = `features/${FEATURE}/feature.jsonc`;
    ws.write(planFile, ws.read(planFile).replace(/"agent": \{[^}]*\}/, '"sandbox": "required",\n  "agent": { "provider": "command", "command": "node tools/pool-agent.js" }'));
    ws.commitAll(`plan ${FEATURE}`);
  });

  afterAll(() => {
    ws?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('gives lane b the worktree lane a left, indistinguishable from a fresh one, and none of a\u2019s files', () => {
    // The fresh worktree, with pooling off: what lane b must see every time.
    runLane('b', { NX_AGENT_LANES_POOL_SIZE: '0' });
    const fresh = seenByB();
    expect(pooled()).toEqual([]);
    expect(fresh.gitDir).toMatch(/^b-/);

    runLane('a');
    // a's worktree is back in the pool, reset: the same files as a fresh checkout of the base.
    expect(pooled()).toHaveLength(1);
    const [slot] = pooled();
    const base = ws.git(['rev-parse', 'HEAD']);
    const check = join(scratch, 'fresh-checkout');
    ws.git(['worktree', 'add', '-q', '--detach', check, base]);
    expect(walk(join(poolDir(), slot))).toBe(walk(check));
    ws.git(['worktree', 'remove', '--force', check]);
    expect(ws.git(['branch', '--list', 'agent-lanes/*'])).toBe('');

    runLane('b');
    const reused = seenByB();
    // It is a's worktree (git keeps a worktree's folder name when it moves), and nothing tells it from a fresh one.
    expect(reused.gitDir).toMatch(/^a-/);
    expect(reused).toEqual({ ...fresh, gitDir: reused.gitDir });
    expect(reused.files.filter((f) => /from-a|node_modules|empty-from-a/.test(f))).toEqual([]);
    expect(reused.files).toContain(fresh.files.find((f) => f.startsWith('dir libs/b/src ')));
    expect(pooled()).toHaveLength(1);
  });

  it('gives a lane whose base moved the new base', () => {
    ws.write('libs/b/src/index.ts', 'export const b = 2;\n');
    ws.write('libs/b/src/added.ts', 'export const added = 1;\n');
    const moved = ws.commitAll('the base moves');
    runLane('b');
    const seen = seenByB();
    expect(seen.head).toBe(moved);
    expect(seen.gitDir).toMatch(/^a-/);
    const check = join(scratch, 'moved-checkout');
    ws.git(['worktree', 'add', '-q', '--detach', check, moved]);
    expect(JSON.stringify(seen.files)).toBe(walk(check).trim());
    ws.git(['worktree', 'remove', '--force', check]);
  });

  it('leaves no lane worktree, branch or lock behind, and clean-lanes empties the pool', () => {
    expect(worktreePaths()).toEqual([ws.root, join(poolDir(), pooled()[0])]);
    expect(ws.git(['branch', '--list', 'agent-lanes/*'])).toBe('');
    // The one lock left is the pool's own, which names no process.
    expect(ws.git(['worktree', 'list', '--porcelain']).split('\n').filter((l) => l.startsWith('locked'))).toEqual(['locked nx-agent-lanes pool']);
    const r = ws.nx(['run', `${FEATURE}:clean-lanes`], { env: env() });
    expect(r.stdout).toContain('removed a clean worktree kept for reuse');
    expect(worktreePaths()).toEqual([ws.root]);
    expect(existsSync(poolDir())).toBe(false);
  });

  it('leaks nothing when nx is killed while its lane holds a pooled worktree: the next command prunes it', async () => {
    runLane('b');
    expect(pooled()).toHaveLength(1);
    const child = spawn(process.execPath, [join(ws.root, 'node_modules', '.bin', 'nx'), 'run', `${FEATURE}:lane--c`, '--skip-nx-cache'], {
      cwd: ws.root,
      env: nxEnv(env()),
      detached: true,
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const entries = () => ws.git(['worktree', 'list', '--porcelain']).split('\n\n');
    const deadline = Date.now() + 120_000;
    while (!entries().some((e) => e.includes(' lane=c')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    const held = entries().find((e) => e.includes(' lane=c'))?.split('\n')[0].slice('worktree '.length);
    expect(held).toBeDefined();
    // Lane c took the pooled worktree.
    expect(pooled()).toEqual([]);
    process.kill(-child.pid!, 'SIGKILL');
    await exited;

    const r = ws.nx(['run', `${FEATURE}:clean-lanes`], { env: env() });
    expect(r.stdout).toContain(`pruned a stale worktree or branch left by an interrupted run: ${held}`);
    expect(worktreePaths()).toEqual([ws.root]);
    expect(ws.git(['branch', '--list', 'agent-lanes/*'])).toBe('');
    expect(pooled()).toEqual([]);
  });
});
