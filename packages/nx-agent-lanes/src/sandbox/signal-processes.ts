import { readFileSync, readdirSync } from 'node:fs';

/**
 * Sends a signal to a process group. False when the group no longer exists; true otherwise,
 * including when a member may not be signalled (EPERM): it is still there.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Signals every member of a process group but one. The sandbox's outer bwrap process dies of a
 * SIGTERM (it has no handler) and takes the whole sandbox with it at once (--die-with-parent), so
 * a graceful stop must reach the sandboxed processes and spare it; they are in its group, and
 * Linux lists group membership in /proc/<pid>/stat.
 */
export function signalGroupExcept(pgid: number, except: number, signal: NodeJS.Signals): void {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return;
  }
  for (const name of pids) {
    const pid = Number(name);
    if (pid === except) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // `pid (comm) state ppid pgrp ...`; comm may hold spaces and parentheses, so split after the last `)`.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid) signalProcess(pid, signal);
  }
}
