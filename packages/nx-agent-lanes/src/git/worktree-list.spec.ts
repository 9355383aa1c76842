import {
  formatLockReason,
  isLaneWorktree,
  laneBranchName,
  parseLaneBranch,
  parseLockReason,
  parseWorktreeList,
} from './worktree-list';

describe('lane names and lock reasons', () => {
  it('round-trips the owner through the lock reason: kind, pid, start time and boot id', () => {
    const owner = { kind: 'verify' as const, pid: 4242, startTime: '98765', bootId: 'b8310887-90a9', feature: 'export-feature', lane: 'backend' };
    const reason = formatLockReason(owner);
    expect(reason).toBe('nx-agent-lanes kind=verify pid=4242 start=98765 boot=b8310887-90a9 feature=export-feature lane=backend');
    expect(parseLockReason(reason)).toEqual(owner);
    expect(parseLockReason(formatLockReason({ kind: 'integration', pid: 7, feature: 'f', lane: 'integration' }))).toEqual({
      kind: 'integration',
      pid: 7,
      feature: 'f',
      lane: 'integration',
    });
  });

  it('tells the kind from the record, never from the lane\u2019s name', () => {
    expect(parseLockReason('nx-agent-lanes kind=lane pid=1 start=5 feature=f lane=verify-something')).toMatchObject({ kind: 'lane', lane: 'verify-something' });
    expect(parseLockReason('nx-agent-lanes kind=verify pid=1 start=5 feature=f lane=verify-something')).toMatchObject({ kind: 'verify' });
  });

  it('reads a reason written before kinds and start times were recorded as a lane\u2019s, trusting its pid alone', () => {
    expect(parseLockReason('nx-agent-lanes pid=4242 feature=export lane=verify-backend')).toEqual({ kind: 'lane', pid: 4242, feature: 'export', lane: 'verify-backend' });
  });

  it('does not claim locks made by someone else', () => {
    expect(parseLockReason('on a USB disk')).toBeUndefined();
    expect(parseLockReason('')).toBeUndefined();
    expect(parseLockReason(undefined)).toBeUndefined();
    expect(parseLockReason('nx-agent-lanes kind=other pid=1 feature=f lane=l')).toBeUndefined();
    expect(parseLockReason('nx-agent-lanes pid=0 feature=f lane=l')).toBeUndefined();
    expect(parseLockReason('nx-agent-lanes pid=1 start=soon feature=f lane=l')).toBeUndefined();
    expect(parseLockReason('nx-agent-lanes pid=1 feature=f')).toBeUndefined();
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
