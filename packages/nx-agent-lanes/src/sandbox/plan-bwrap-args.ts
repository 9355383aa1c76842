/**
 * The bubblewrap command line for one sandboxed process, as data. Pure: resolve-sandbox-mounts
 * finds the paths, run-sandboxed spawns the result.
 */

/**
 * The namespaces and privileges every sandboxed process gets. `--unshare-all` gives new user,
 * mount, PID, network, IPC, UTS and cgroup namespaces; `--unshare-user` makes the user namespace
 * certain even for root, where bwrap would otherwise keep the real root's capabilities (measured:
 * a full CapEff), and `--cap-drop ALL` leaves none inside, so nothing in the sandbox can remount
 * what is read-only. `--die-with-parent` kills the sandbox when this process dies, even by SIGKILL.
 * No `--new-session`: the runner starts bwrap in a session of its own without a terminal (so no
 * TIOCSTI), and keeping the process group lets the runner send SIGTERM to the sandboxed processes.
 */
export const ISOLATION_ARGS: readonly string[] = ['--unshare-all', '--unshare-user', '--die-with-parent', '--cap-drop', 'ALL'];

/** Where bridged sockets appear inside the sandbox; /run is a private tmpfs there. */
export const SANDBOX_SOCKET_DIR = '/run/nx-agent-lanes';

/** Exit code of the sandbox when a bridge did not come up: the command never ran. */
export const BRIDGE_FAILED_EXIT_CODE = 125;

export interface MountPlan {
  /** Host directories covered by an empty, read-only tmpfs: not visible inside (the user's home). */
  hidden: string[];
  /** Mounted read-only at `target` (the same path when re-exposing something under a hidden one). */
  readable: { source: string; target: string }[];
  /** Mounted read-write at the same path: the lane's worktree and scratch folder. */
  writable: string[];
  /** Inside writable paths, kept read-only: a worktree's `.git` file and any git directory. */
  readOnly: string[];
  /** Unix sockets of the host, mounted inside (under SANDBOX_SOCKET_DIR). */
  sockets: { source: string; target: string }[];
}

/** A loopback TCP port inside the sandbox that socat relays to a unix socket mounted inside. */
export interface PortBridge {
  port: number;
  /** The socket's path inside the sandbox. */
  socket: string;
}

export interface PlanBwrapArgsInput {
  mounts: MountPlan;
  cwd: string;
  /** A shell command line, run by /bin/sh -c. */
  command: string;
  bridges: PortBridge[];
  socatPath: string;
}

type Mount = { kind: 'tmpfs'; target: string } | { kind: 'ro' | 'rw'; source: string; target: string };

/**
 * bwrap's arguments (without the bwrap path). Everything is read-only (`--ro-bind / /`), /tmp and
 * /run are private and empty (host sockets there, such as tmux's, the Nx daemon's, an ssh agent's
 * or Docker's, are out of reach), and the plan's mounts go on top, shallowest first so the more
 * specific path wins: a worktree under a hidden home is writable, a `.git` file inside the
 * worktree read-only.
 */
export function planBwrapArgs(input: PlanBwrapArgsInput): string[] {
  const { mounts } = input;
  const planned: Mount[] = [
    ...mounts.hidden.map((target): Mount => ({ kind: 'tmpfs', target })),
    ...mounts.readable.map((r): Mount => ({ kind: 'ro', source: r.source, target: r.target })),
    ...mounts.writable.map((w): Mount => ({ kind: 'rw', source: w, target: w })),
    ...mounts.readOnly.map((p): Mount => ({ kind: 'ro', source: p, target: p })),
    ...mounts.sockets.map((s): Mount => ({ kind: 'rw', source: s.source, target: s.target })),
  ];
  // Array.prototype.sort is stable: at equal depth the order above holds (read-only after writable).
  const ordered = planned.map((m, i) => ({ m, i, depth: depthOf(m.target) })).sort((a, b) => a.depth - b.depth || a.i - b.i);
  const args = [...ISOLATION_ARGS, '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', '/run'];
  for (const { m } of ordered) {
    if (m.kind === 'tmpfs') args.push('--tmpfs', m.target);
    else args.push(m.kind === 'ro' ? '--ro-bind' : '--bind', m.source, m.target);
  }
  // Hidden paths read as empty and refuse writes, instead of taking them into a tmpfs that vanishes.
  for (const target of mounts.hidden) args.push('--remount-ro', target);
  args.push('--chdir', input.cwd, '--');
  if (input.bridges.length === 0) return [...args, '/bin/sh', '-c', input.command];
  return [...args, '/bin/sh', '-c', planBridgeScript(input.bridges, input.socatPath), 'nx-agent-lanes-sandbox', input.command];
}

function depthOf(path: string): number {
  return path.split('/').filter(Boolean).length;
}

/**
 * The shell that starts the bridges inside the sandbox, waits until each listens, then becomes
 * the command (`$1`). socat is started from a subshell, so it is a child of the sandbox's init and
 * not of the command: a command that runs `wait` must not wait for the bridge. socat says
 * "listening on" in its log (`-d -d`, kept in the sandbox's private /run) once its socket is
 * bound; the log is polled with shell builtins. Polling /proc/net/tcp instead costs tens of
 * milliseconds per read on a large machine, whose whole TCP table the kernel walks for it.
 */
export function planBridgeScript(bridges: PortBridge[], socatPath: string): string {
  const lines = [
    'listening() {',
    '  while read -r line; do',
    '    case $line in *" listening on "*) return 0 ;; esac',
    '  done <"$1"',
    '  return 1',
    '}',
  ];
  for (const { port, socket } of bridges) {
    const log = `${SANDBOX_SOCKET_DIR}/bridge-${port}.log`;
    lines.push(
      `: >${log}`,
      `( exec ${quoteShell(socatPath)} -d -d TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork ${quoteShell(`UNIX-CONNECT:${socket}`)} </dev/null >/dev/null 2>>${log} & )`,
      'n=0',
      `until listening ${log}; do`,
      '  n=$((n + 1))',
      `  if [ "$n" -gt 200000 ]; then echo "nx-agent-lanes sandbox: the bridge to 127.0.0.1:${port} did not start (socat)" >&2; exit ${BRIDGE_FAILED_EXIT_CODE}; fi`,
      'done',
    );
  }
  lines.push('exec /bin/sh -c "$1"');
  return lines.join('\n');
}

/** One shell word: single quotes, with each `'` written as `'\''`. */
export function quoteShell(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
