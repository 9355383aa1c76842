import {
  formatLockReason,
  isLaneWorktree,
  laneBranchName,
  parseLaneBranch,
  parseLockReason,
  parseWorktreeList,
} from './worktree-list';

describe('lane names and lock reasons', () => {
  it('round-trips the owner through the lock reason', () => {
    const reason = formatLockReason({ pid: 4242, feature: 'export-feature', lane: 'backend' });
    expect(reason).toBe('nx-agent-lanes pid=4242 feature=export-feature lane=backend');
    expect(parseLockReason(reason)).toEqual({ pid: 4242, feature: 'export-feature', lane: 'backend' });
  });

  it('does not claim locks made by someone else', () => {
    expect(parseLockReason('on a USB disk')).toBeUndefined();
    expect(parseLockReason('')).toBeUndefined();
    expect(parseLockReason(undefined)).toBeUndefined();
  });

  it('reads feature and lane back from a branch, features with slashes included', () => {
    expect(laneBranchName('export', 'docs', '12-ab')).toBe('agent-lanes/export/docs/12-ab');
    expect(parseLaneBranch('agent-lanes/export/docs/12-ab')).toEqual({ feature: 'export', lane: 'docs' });
    expect(parseLaneBranch('agent-lanes/team/export/docs/12-ab')).toEqual({ feature: 'team/export', lane: 'docs' });
    expect(parseLaneBranch('main')).toBeUndefined();
    expect(parseLaneBranch('agent-lanes/too-short')).toBeUndefined();
  });
});

describe('parseWorktreeList', () => {
  const output = [
    'worktree /home/me/repo',
    'HEAD 1111111111111111111111111111111111111111',
    'branch refs/heads/main',
    '',
    'worktree /tmp/nx-agent-lanes/repo-abc/export/backend-1-x',
    'HEAD 2222222222222222222222222222222222222222',
    'branch refs/heads/agent-lanes/export/backend/1-x',
    'locked nx-agent-lanes pid=1 feature=export lane=backend',
    '',
    'worktree /home/me/other',
    'HEAD 3333333333333333333333333333333333333333',
    'detached',
    'locked "line one\\nline two"',
    'prunable gitdir file points to non-existent location',
    '',
    'worktree /home/me/plain-lock',
    'HEAD 3333333333333333333333333333333333333333',
    'branch refs/heads/feature/x',
    'locked',
    '',
  ].join('\n');

  it('reads every entry with its branch, lock reason and prunable state', () => {
    const entries = parseWorktreeList(output);
    expect(entries).toEqual([
      { path: '/home/me/repo', head: '1'.repeat(40), branch: 'main', bare: false, detached: false },
      {
        path: '/tmp/nx-agent-lanes/repo-abc/export/backend-1-x',
        head: '2'.repeat(40),
        branch: 'agent-lanes/export/backend/1-x',
        bare: false,
        detached: false,
        locked: 'nx-agent-lanes pid=1 feature=export lane=backend',
      },
      {
        path: '/home/me/other',
        head: '3'.repeat(40),
        bare: false,
        detached: true,
        locked: 'line one\nline two',
        prunable: 'gitdir file points to non-existent location',
      },
      { path: '/home/me/plain-lock', head: '3'.repeat(40), branch: 'feature/x', bare: false, detached: false, locked: '' },
    ]);
    expect(entries.map(isLaneWorktree)).toEqual([false, true, false, false]);
  });
});
