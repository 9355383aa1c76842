import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ISOLATION_ARGS } from './plan-bwrap-args';

/** The programs the sandbox runs, found on this machine. */
export interface SandboxTools {
  bwrapPath: string;
  socatPath: string;
}

export type SandboxDetection =
  | ({ available: true } & SandboxTools)
  | {
      available: false;
      /** What is missing or blocked, as one clause: "bubblewrap is not installed". */
      reason: string;
      /** The command or setting that fixes it. */
      hint: string;
    };

export interface DetectSandboxOptions {
  platform?: NodeJS.Platform;
  /** Directories searched for bwrap and socat; default the PATH of this process. */
  path?: string;
  /** Finds an executable by name; default: the first executable file of that name in `path`. */
  findExecutable?: (name: string) => string | undefined;
  /** Runs bwrap once with the runner's own isolation flags; default spawnSync with a 10 s limit. */
  runProbe?: (bwrapPath: string, args: string[]) => { status: number | null; stderr: string };
  /** Reads a sysctl under /proc/sys (`kernel/unprivileged_userns_clone`), undefined when absent. */
  readSysctl?: (name: string) => string | undefined;
}

const INSTALL_HINT =
  'Install them: `sudo apt-get install bubblewrap socat` (Debian, Ubuntu), `sudo dnf install bubblewrap socat` (Fedora), ' +
  '`sudo pacman -S bubblewrap socat` (Arch). Or set "sandbox": "off" in feature.jsonc to run lanes unsandboxed knowingly.';

/**
 * Whether lane processes can run in the bubblewrap sandbox here, and if not, why. The probe runs
 * bwrap with the very flags the runner uses (new user, PID and network namespaces, a fresh /proc):
 * an installed bwrap is not enough where the kernel, AppArmor or a container's seccomp profile
 * refuses unprivileged user namespaces, and that refusal only shows when a namespace is made.
 */
export function detectSandbox(options: DetectSandboxOptions = {}): SandboxDetection {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') {
    return {
      available: false,
      reason: `the OS sandbox (bubblewrap) exists on Linux only, and this is ${platform}`,
      hint: 'Run lanes on Linux (a CI runner or a dev container with bubblewrap) for the sandbox, or set "sandbox": "off" in feature.jsonc to run them unsandboxed knowingly.',
    };
  }
  const find = options.findExecutable ?? ((name: string) => findOnPath(name, options.path ?? process.env.PATH ?? ''));
  const bwrapPath = find('bwrap');
  const socatPath = find('socat');
  const missing = [bwrapPath ? undefined : 'bubblewrap', socatPath ? undefined : 'socat'].filter((m): m is string => m !== undefined);
  if (!bwrapPath || !socatPath) {
    return { available: false, reason: `${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not installed`, hint: INSTALL_HINT };
  }
  const probe = (options.runProbe ?? runBwrapProbe)(bwrapPath, [...ISOLATION_ARGS, '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '/bin/sh', '-c', ':']);
  if (probe.status === 0) return { available: true, bwrapPath, socatPath };
  return describeBlockedNamespaces(probe.stderr, options.readSysctl ?? readProcSysctl);
}

/** Why bwrap could not make its namespaces, naming the setting that blocks them when one does. */
function describeBlockedNamespaces(stderr: string, readSysctl: (name: string) => string | undefined): SandboxDetection {
  const said = stderr.trim().split('\n')[0] || 'no message';
  if (readSysctl('kernel/apparmor_restrict_unprivileged_userns') === '1') {
    return {
      available: false,
      reason: `user namespaces are blocked (kernel.apparmor_restrict_unprivileged_userns=1; bwrap said: ${said})`,
      hint:
        'Ubuntu 23.10 and later restrict them through AppArmor. Allow bwrap with a profile (`/etc/apparmor.d/bwrap` granting `userns`, ' +
        'see the bubblewrap and Ubuntu docs), or for the whole machine `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0`.',
    };
  }
  if (readSysctl('kernel/unprivileged_userns_clone') === '0') {
    return {
      available: false,
      reason: `user namespaces are disabled (kernel.unprivileged_userns_clone=0; bwrap said: ${said})`,
      hint: 'Enable them: `sudo sysctl kernel.unprivileged_userns_clone=1` (and in /etc/sysctl.d/ to keep it after a reboot).',
    };
  }
  if (readSysctl('user/max_user_namespaces') === '0') {
    return {
      available: false,
      reason: `user namespaces are disabled (user.max_user_namespaces=0; bwrap said: ${said})`,
      hint: 'Enable them: `sudo sysctl user.max_user_namespaces=15000` (and in /etc/sysctl.d/ to keep it after a reboot).',
    };
  }
  return {
    available: false,
    reason: `bubblewrap cannot create its namespaces here (bwrap said: ${said})`,
    hint:
      'Inside a container this is usually its seccomp or AppArmor profile: run it with `--security-opt seccomp=unconfined ' +
      '--security-opt apparmor=unconfined` (Docker) or `--privileged`, or run lanes on the host. Check with `bwrap --ro-bind / / --unshare-all true`.',
  };
}

function findOnPath(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; the next PATH entry may have it.
    }
  }
  return undefined;
}

function runBwrapProbe(bwrapPath: string, args: string[]): { status: number | null; stderr: string } {
  const probe = spawnSync(bwrapPath, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: '/usr/bin:/bin' } });
  return { status: probe.status, stderr: probe.error ? probe.error.message : probe.stderr };
}

function readProcSysctl(name: string): string | undefined {
  try {
    return readFileSync(`/proc/sys/${name}`, 'utf8').trim();
  } catch {
    return undefined;
  }
}
