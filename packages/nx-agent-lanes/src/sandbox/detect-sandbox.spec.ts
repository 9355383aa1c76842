import { detectSandbox } from './detect-sandbox';

const found = (names: string[]) => (name: string) => (names.includes(name) ? `/usr/bin/${name}` : undefined);
const ok = () => ({ status: 0, stderr: '' });

describe('detectSandbox', () => {
  it('finds bwrap and socat and probes bwrap with the namespaces the runner uses', () => {
    const probes: string[][] = [];
    const detection = detectSandbox({
      platform: 'linux',
      findExecutable: found(['bwrap', 'socat']),
      runProbe: (bwrap, args) => {
        probes.push([bwrap, ...args]);
        return ok();
      },
    });
    expect(detection).toEqual({ available: true, bwrapPath: '/usr/bin/bwrap', socatPath: '/usr/bin/socat' });
    expect(probes).toEqual([[
      '/usr/bin/bwrap', '--unshare-all', '--unshare-user', '--die-with-parent', '--cap-drop', 'ALL',
      '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '/bin/sh', '-c', ':',
    ]]);
  });

  it('names what is not installed and how to install it', () => {
    expect(detectSandbox({ platform: 'linux', findExecutable: found(['socat']), runProbe: ok })).toEqual({
      available: false,
      reason: 'bubblewrap is not installed',
      hint: expect.stringContaining('sudo apt-get install bubblewrap socat'),
    });
    expect(detectSandbox({ platform: 'linux', findExecutable: found([]), runProbe: ok })).toMatchObject({ reason: 'bubblewrap and socat are not installed' });
  });

  it('says the sandbox is Linux only elsewhere', () => {
    expect(detectSandbox({ platform: 'darwin' })).toMatchObject({
      available: false,
      reason: 'the OS sandbox (bubblewrap) exists on Linux only, and this is darwin',
    });
  });

  it.each([
    ['kernel/apparmor_restrict_unprivileged_userns', '1', /^user namespaces are blocked \(kernel\.apparmor_restrict_unprivileged_userns=1; bwrap said: bwrap: setting up uid map: Permission denied\)$/, /sysctl kernel\.apparmor_restrict_unprivileged_userns=0/],
    ['kernel/unprivileged_userns_clone', '0', /^user namespaces are disabled \(kernel\.unprivileged_userns_clone=0/, /sysctl kernel\.unprivileged_userns_clone=1/],
    ['user/max_user_namespaces', '0', /^user namespaces are disabled \(user\.max_user_namespaces=0/, /sysctl user\.max_user_namespaces=15000/],
    ['none', '', /^bubblewrap cannot create its namespaces here \(bwrap said: bwrap: setting up uid map: Permission denied\)$/, /seccomp=unconfined/],
  ])('explains a failed probe by the setting that blocks user namespaces (%s)', (sysctl, value, reason, hint) => {
    const detection = detectSandbox({
      platform: 'linux',
      findExecutable: found(['bwrap', 'socat']),
      runProbe: () => ({ status: 1, stderr: 'bwrap: setting up uid map: Permission denied\n' }),
      readSysctl: (name) => (name === sysctl ? value : undefined),
    });
    expect(detection).toEqual({ available: false, reason: expect.stringMatching(reason), hint: expect.stringMatching(hint) });
  });

  it('finds the real sandbox on this machine (the test setup installs bubblewrap and socat)', () => {
    expect(detectSandbox()).toMatchObject({ available: true });
  });
});
