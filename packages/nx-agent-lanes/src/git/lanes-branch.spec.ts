import * as path from 'node:path';
import { GitError } from '../errors';
import { createTestRepo, type TestRepo } from './create-test-repo';
import type { CommitIdentity } from './commit-identity';
import { isBranchCurrent, updateBranch, writeLanesBranch, type BranchCommit, type PlannedLaneCommit } from './lanes-branch';

describe('updateBranch', () => {
  let repo: TestRepo;
  let first: string;
  let second: string;
  beforeEach(() => {
    repo = createTestRepo({ 'a.txt': '1\n' });
    first = repo.git(['rev-parse', 'HEAD']).trim();
    repo.write('a.txt', '2\n');
    repo.git(['commit', '-q', '-am', 'second']);
    second = repo.git(['rev-parse', 'HEAD']).trim();
  });
  afterEach(() => repo.cleanup());

  const tip = (branch: string) => repo.git(['rev-parse', `refs/heads/${branch}`]).trim();

  it('creates and moves a branch without checking it out', async () => {
    await updateBranch(repo.root, 'lanes/export', first);
    expect(tip('lanes/export')).toBe(first);
    await updateBranch(repo.root, 'lanes/export', second, first);
    expect(tip('lanes/export')).toBe(second);
    expect(repo.git(['symbolic-ref', '--short', 'HEAD']).trim()).toBe('main');
  });

  it('only creates a branch that does not exist when expectedOld is empty', async () => {
    await updateBranch(repo.root, 'lanes/export', first, '');
    await expect(updateBranch(repo.root, 'lanes/export', second, '')).rejects.toThrow(/moved while nx-agent-lanes was updating it/);
    expect(tip('lanes/export')).toBe(first);
  });

  it('leaves the branch alone when it is not where the caller last saw it', async () => {
    await updateBranch(repo.root, 'lanes/export', second);
    const error = await updateBranch(repo.root, 'lanes/export', first, first).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect(tip('lanes/export')).toBe(second);
  });

  it("refuses the branch of the user's checkout and of any other worktree", async () => {
    const mine = await updateBranch(repo.root, 'main', first).catch((e: unknown) => e);
    expect(mine).toBeInstanceOf(GitError);
    expect((mine as GitError).message).toBe(`The branch main is checked out in your checkout at ${repo.root}, so nx-agent-lanes will not move it.`);
    const other = path.join(repo.scratch, 'other');
    repo.git(['worktree', 'add', '-q', '-b', 'lanes/busy', other, first]);
    await expect(updateBranch(repo.root, 'lanes/busy', second)).rejects.toThrow(`checked out in the worktree at ${other}`);
    expect(tip('main')).toBe(second);
    expect(tip('lanes/busy')).toBe(first);
  });

  it('names a bad branch name or a missing commit', async () => {
    await expect(updateBranch(repo.root, 'lanes/bad..name', first)).rejects.toThrow('"lanes/bad..name" is not a valid git branch name.');
    await expect(updateBranch(repo.root, 'lanes/export', 'f'.repeat(40))).rejects.toThrow(`"${'f'.repeat(40)}" does not exist`);
  });
});

describe('isBranchCurrent', () => {
  const planned: PlannedLaneCommit[] = [
    { lane: 'api', tree: 't1', message: 'f: api lane\n\nLane: api\n' },
    { lane: 'web', tree: 't2', message: 'f: web lane\n\nLane: web\n' },
  ];
  const existing: BranchCommit[] = [
    { sha: 'c2', tree: 't2', parents: ['c1'], message: 'f: web lane\n\nLane: web\n' },
    { sha: 'c1', tree: 't1', parents: ['base'], message: 'f: api lane\n\nLane: api\n' },
  ];
  const current = (over: Partial<Parameters<typeof isBranchCurrent>[0]>) => isBranchCurrent({ base: 'base', tip: 'c2', existing, planned, ...over });

  it('keeps a branch holding the same trees and messages, in order, on the same base', () => {
    expect(current({})).toBe(true);
  });

  it('rebuilds on another base, another tree, another message, another order or another count', () => {
    expect(current({ base: 'other' })).toBe(false);
    expect(current({ planned: [planned[0], { ...planned[1], tree: 't3' }] })).toBe(false);
    expect(current({ planned: [planned[0], { ...planned[1], message: 'f: web lane\n\nLane: web\nAgent-Model: m\n' }] })).toBe(false);
    expect(current({ planned: [planned[1], planned[0]] })).toBe(false);
    expect(current({ planned: planned.slice(1) })).toBe(false);
    expect(current({ existing: [existing[0], { ...existing[1], parents: ['base', 'x'] }] })).toBe(false);
  });

  it('wants the base itself when no lane changed anything', () => {
    expect(isBranchCurrent({ base: 'base', tip: 'base', existing: [], planned: [] })).toBe(true);
    expect(isBranchCurrent({ base: 'base', tip: 'c2', existing: [], planned: [] })).toBe(false);
  });
});

describe('writeLanesBranch', () => {
  let repo: TestRepo;
  let base: string;
  let lanes: PlannedLaneCommit[];
  const identity: CommitIdentity = {
    author: { name: 'Ada Lovelace', email: 'ada@example.com' },
    committer: { name: 'Charles Babbage', email: 'charles@example.com' },
  };
  /** A tree: the base's files with `changes` written over them, built in a throwaway index. */
  const treeWith = (changes: Record<string, string>) => {
    for (const [file, content] of Object.entries(changes)) repo.write(file, content);
    repo.git(['add', ...Object.keys(changes)]);
    const tree = repo.git(['write-tree']).trim();
    repo.git(['reset', '-q', '--hard', 'HEAD']);
    return tree;
  };
  const write = (over: Partial<Parameters<typeof writeLanesBranch>[0]> = {}) =>
    writeLanesBranch({ repoRoot: repo.root, branch: 'lanes/f', base, lanes, identity, expectedOld: tipOrUndefined(), ...over });
  const tipOrUndefined = () => {
    const out = repo.git(['for-each-ref', '--format=%(objectname)', 'refs/heads/lanes/f']).trim();
    return out || undefined;
  };
  const reflog = () => repo.git(['reflog', 'show', '--format=%H', 'refs/heads/lanes/f']).trim().split('\n');

  beforeEach(() => {
    repo = createTestRepo({ 'a.txt': '1\n', 'b.txt': '1\n' });
    repo.git(['config', 'core.logAllRefUpdates', 'always']);
    base = repo.git(['rev-parse', 'HEAD']).trim();
    const one = treeWith({ 'a.txt': 'api\n' });
    lanes = [
      { lane: 'api', tree: one, message: 'f: api lane\n\nDone.\n\nLane: api\nAgent-Provider: claude-code\nAgent-Model: claude-sonnet-5-5\n' },
      { lane: 'web', tree: treeWith({ 'a.txt': 'api\n', 'b.txt': 'web\n' }), message: 'f: web lane\n\nDone.\n\nLane: web\nAgent-Provider: command\n' },
    ];
  });
  afterEach(() => repo.cleanup());

  it('writes one commit per lane on the base, by the given identity, with the trailers', async () => {
    const written = await write();
    expect(written.kept).toBe(false);
    expect(repo.git(['rev-parse', 'lanes/f']).trim()).toBe(written.tip);
    expect(repo.git(['rev-list', '--reverse', `${base}..lanes/f`]).trim().split('\n')).toEqual([written.commits.api, written.commits.web]);
    expect(repo.git(['rev-parse', `${written.commits.api}^`]).trim()).toBe(base);
    expect(repo.git(['log', '--format=%an <%ae>|%cn <%ce>', `${base}..lanes/f`]).trim().split('\n')).toEqual([
      'Ada Lovelace <ada@example.com>|Charles Babbage <charles@example.com>',
      'Ada Lovelace <ada@example.com>|Charles Babbage <charles@example.com>',
    ]);
    expect(repo.git(['log', '-1', '--format=%(trailers)', written.commits.api]).trim()).toBe('Lane: api\nAgent-Provider: claude-code\nAgent-Model: claude-sonnet-5-5');
    expect(repo.git(['show', 'lanes/f:b.txt'])).toBe('web\n');
    expect(repo.git(['symbolic-ref', '--short', 'HEAD']).trim()).toBe('main');
  });

  it('leaves the branch and its reflog alone when nothing it is built from changed', async () => {
    const first = await write();
    const log = reflog();
    const again = await write({ identity: { ...identity, author: { name: 'Someone Else', email: 'else@example.com' } } });
    expect(again).toEqual({ tip: first.tip, commits: first.commits, kept: true });
    expect(repo.git(['rev-parse', 'lanes/f']).trim()).toBe(first.tip);
    expect(reflog()).toEqual(log);
  });

  it('rebuilds when a lane changed, the base moved, or someone committed on the branch', async () => {
    const first = await write();
    const changed = await write({ lanes: [lanes[0], { ...lanes[1], tree: treeWith({ 'a.txt': 'api\n', 'b.txt': 'web 2\n' }) }] });
    expect(changed.kept).toBe(false);
    expect(changed.tip).not.toBe(first.tip);
    expect(repo.git(['rev-parse', `${changed.tip}^`]).trim()).toBe(changed.commits.api);
    expect(repo.git(['show', 'lanes/f:b.txt'])).toBe('web 2\n');

    repo.write('c.txt', 'new base\n');
    repo.git(['add', 'c.txt']);
    repo.git(['commit', '-q', '-m', 'move main']);
    const newBase = repo.git(['rev-parse', 'HEAD']).trim();
    const rebased = await write({ base: newBase });
    expect(rebased.kept).toBe(false);
    expect(repo.git(['rev-parse', `${rebased.commits.api}^`]).trim()).toBe(newBase);

    repo.git(['update-ref', 'refs/heads/lanes/f', repo.git(['commit-tree', `${rebased.tip}^{tree}`, '-p', rebased.tip, '-m', 'mine']).trim()]);
    const afterMine = await write({ base: newBase });
    expect(afterMine.kept).toBe(false);
    expect(repo.git(['log', '--format=%s', `${newBase}..lanes/f`]).trim().split('\n')).toEqual(['f: web lane', 'f: api lane']);
  });

  it('points the branch at the base when no lane changed anything', async () => {
    const written = await write({ lanes: [] });
    expect(written).toEqual({ tip: base, commits: {}, kept: false });
    expect(repo.git(['rev-parse', 'lanes/f']).trim()).toBe(base);
    expect((await write({ lanes: [] })).kept).toBe(true);
  });
});
