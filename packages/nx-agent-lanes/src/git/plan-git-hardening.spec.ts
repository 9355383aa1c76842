import { configEnvironment, needsConfigOverrides, parseConfigList, planConfigOverrides } from './plan-git-hardening';

describe('parseConfigList', () => {
  it('reads scope, origin, key and value, a value with newlines, and a key set without a value', () => {
    expect(
      parseConfigList('global\0file:/home/ada/.gitconfig\0user.name\nAda\0local\0file:.git/config\0alias.x\n!a\nb\0command\0command line:\0filter.evil.required\0'),
    ).toEqual([
      { scope: 'global', origin: 'file:/home/ada/.gitconfig', key: 'user.name', value: 'Ada' },
      { scope: 'local', origin: 'file:.git/config', key: 'alias.x', value: '!a\nb' },
      { scope: 'command', origin: 'command line:', key: 'filter.evil.required' },
    ]);
  });
});

describe('planConfigOverrides', () => {
  const entry = (scope: string, key: string, value?: string) => ({ scope, origin: 'file:.git/config', key, value });

  it('switches off every program the repository configures, a driver whose name holds dots or `=` too', () => {
    expect(
      planConfigOverrides([
        entry('local', 'filter.evil.clean', 'x'),
        entry('local', 'filter.a=b.c.smudge', 'x'),
        entry('worktree', 'diff.evil.textconv', 'x'),
        entry('local', 'merge.evil.driver', 'x'),
        entry('local', 'core.sshcommand', 'x'),
        entry('local', 'gpg.ssh.program', 'x'),
        entry('local', 'credential.https://example.com.helper', 'x'),
        entry('local', 'user.name', 'Ada'),
        entry('local', 'alias.st', '!x'),
      ]),
    ).toEqual([
      ['filter.evil.clean', ''],
      ['filter.a=b.c.smudge', ''],
      ['diff.evil.textconv', ''],
      ['merge.evil.driver', ''],
      ['core.sshcommand', ''],
      ['gpg.ssh.program', ''],
      ['credential.https://example.com.helper', ''],
    ]);
  });

  it("keeps the user's own drivers and helpers: a git-lfs filter overridden by the repository gets its value back", () => {
    expect(
      planConfigOverrides([
        entry('system', 'credential.helper', 'cache'),
        entry('global', 'filter.lfs.clean', 'git-lfs clean -- %f'),
        entry('global', 'filter.lfs.required', 'true'),
        entry('global', 'credential.helper', 'store'),
        entry('local', 'filter.lfs.clean', 'evil'),
        entry('local', 'credential.helper', 'evil'),
        entry('command', 'filter.lfs.clean', ''),
      ]),
    ).toEqual([
      ['filter.lfs.clean', ''],
      ['filter.lfs.clean', 'git-lfs clean -- %f'],
      ['credential.helper', ''],
      ['credential.helper', 'cache'],
      ['credential.helper', 'store'],
    ]);
  });

  it('passes everything through the environment, where `=` in a key is safe', () => {
    expect(configEnvironment([['filter.a=b.clean', '']])).toEqual({ GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'filter.a=b.clean', GIT_CONFIG_VALUE_0: '' });
  });
});

describe('needsConfigOverrides', () => {
  it('reads the configuration first only for commands that may filter, diff, sign or fetch', () => {
    expect(needsConfigOverrides(['rev-parse', 'HEAD'])).toBe(false);
    expect(needsConfigOverrides(['-c', 'user.name=x', 'commit-tree', 't'])).toBe(false);
    expect(needsConfigOverrides(['worktree', 'add', '-q', '--no-checkout', '/p', 'HEAD'])).toBe(false);
    expect(needsConfigOverrides(['worktree', 'move', '--force', '--force', '/p', '/q'])).toBe(false);
    expect(needsConfigOverrides(['worktree', 'add', '/p', 'HEAD'])).toBe(true);
    expect(needsConfigOverrides(['--git-dir=/g', '--work-tree=/s', '-C', '/s', 'add', '-A'])).toBe(true);
    expect(needsConfigOverrides(['-c', 'core.quotePath=true', 'diff', '--cached'])).toBe(true);
    expect(needsConfigOverrides(['apply', '--index', '-'])).toBe(true);
    expect(needsConfigOverrides([])).toBe(true);
  });
});
