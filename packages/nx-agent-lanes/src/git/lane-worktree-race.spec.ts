import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTestRepo, type TestRepo } from './create-test-repo';
import { pruneStaleWorktrees } from './lane-worktree';
import { parseWorktreeList } from './worktree-list';

const WORKSPACE_ROOT = path.resolve(__dirname, '../../../..');
const LANES = 8;
const ROUNDS = 20;

type Outcome = { path: string; branch: string; error?: undefined } | { error: string };

/**
 * Parallel lanes each prune and make their worktree at start-up, in processes of their own, as
 * Nx runs them. Without the repository lock, one lane's `git worktree prune` removes another's
 * half-made worktree and its `worktree add` fails ("failed to read .git/worktrees/<id>/commondir"),
 * or two prunes remove the same dead worktree and the slower one fails.
 */
describe('lanes starting at once', () => {
  let repo: TestRepo;
  beforeEach(() => (repo = createTestRepo()));
  afterEach(() => repo.cleanup());

  const startLane = (feature: string, lane: string) => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', path.join(__dirname, '__fixtures__', 'start-lane.ts'), repo.root, path.join(repo.scratch, 'worktrees'), feature, lane],
      { cwd: WORKSPACE_ROOT, stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, TS_NODE_PROJECT: path.join(WORKSPACE_ROOT, 'packages/nx-agent-lanes/tsconfig.json') } },
    );
    const outcome = new Promise<Outcome>((resolve) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))) as Outcome);
      });
      child.on('exit', (code) => resolve({ error: `exited with ${code} before reporting` }));
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    return { outcome, stop: () => (child.stdin!.end(), exited) };
  };

  it(
    `loses no worktree and no branch when ${LANES} lanes of two features start together, ${ROUNDS} times over`,
    async () => {
      const failures: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // Each round's lanes also prune the worktrees the previous round's (now exited) lanes left.
        const lanes = Array.from({ length: LANES }, (_, i) => startLane(i % 2 ? 'orders' : 'invoices', `lane${i}`));
        const outcomes = await Promise.all(lanes.map((l) => l.outcome));
        const entries = parseWorktreeList(repo.git(['worktree', 'list', '--porcelain']));
        const branches = repo.git(['branch', '--format=%(refname:short)']).split('\n');
        for (const outcome of outcomes) {
          if (outcome.error !== undefined) {
            failures.push(`round ${round}: ${outcome.error}`);
            continue;
          }
          const entry = entries.find((e) => e.path === outcome.path);
          if (!entry?.locked || entry.branch !== outcome.branch || !fs.existsSync(path.join(outcome.path, '.git'))) failures.push(`round ${round}: lost ${outcome.path}`);
          if (!branches.includes(outcome.branch)) failures.push(`round ${round}: lost ${outcome.branch}`);
        }
        await Promise.all(lanes.map((l) => l.stop()));
      }
      expect(failures).toEqual([]);
      await pruneStaleWorktrees(repo.root);
      expect(parseWorktreeList(repo.git(['worktree', 'list', '--porcelain'])).map((e) => e.path)).toEqual([repo.root]);
      expect(repo.git(['branch', '--list', 'agent-lanes/*'])).toBe('');
    },
    600_000,
  );
});
