import { readFileSync } from 'node:fs';

/** Set by the plugin's preTasksExecution hook: one id for every task of one `nx` command. */
export const RUN_ID_ENV = 'NX_AGENT_LANES_RUN_ID';

/**
 * An id of the `nx` command this executor runs under. The run hook's id is the only one that
 * holds under the TUI, where each task has a process of its own; without it (a runner that
 * skips plugin hooks) the parent process and its start time stand in, so a reused pid is not
 * mistaken for the same command.
 */
export function currentNxInvocation(env: NodeJS.ProcessEnv = process.env): string {
  const runId = env[RUN_ID_ENV];
  if (runId) return `run:${runId}`;
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
