import { readFileSync } from 'node:fs';

/**
 * An id of the `nx` command this executor runs under: the parent process (Nx forks every
 * task from its main process) and, where /proc exists, that process's start time, so a reused
 * pid is not mistaken for the same command.
 */
export function currentNxInvocation(): string {
  const ppid = process.ppid;
  try {
    // Field 22 of /proc/<pid>/stat is the start time; the command name (field 2) may hold spaces.
    const stat = readFileSync(`/proc/${ppid}/stat`, 'utf8');
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return `${ppid}@${startTime}`;
  } catch {
    return String(ppid);
  }
}
