import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LanesError } from '../errors';
import { gitCommonDir } from '../git/repo';
import { isProcessAlive, signalProcessGroup } from '../agents/command/run-process-group';

export interface LaneLock {
  /** Records the agent's process group, which a later run stops if this one dies without doing so. */
  recordAgentGroup(pgid: number): void;
  release(): void;
}

interface LockOwner {
  pid: number;
  startedAt: string;
  task: string;
  agentPgid?: number;
}


/**
 * One run at a time per lane task (agent, verify or integrate) in a repository: two runs of
 * the same feature would write the same artifacts. The lock lives in the git common dir, which
 * every checkout of the repository shares and no tool scans; a lock whose process is gone is
 * stale and taken over.
 */
export async function acquireLaneLock(options: { repoRoot: string; feature: string; name: string; isAlive?: (pid: number) => boolean }): Promise<LaneLock> {
  const dir = join(await gitCommonDir(options.repoRoot), 'nx-agent-lanes', 'locks');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${options.feature}--${options.name}.lock`);
  const alive = options.isAlive ?? isProcessAlive;
  const owner: LockOwner = { pid: process.pid, startedAt: new Date().toISOString(), task: `${options.feature}:${options.name}` };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify(owner));
      closeSync(fd);
      return {
        recordAgentGroup: (pgid) => writeFileSync(file, JSON.stringify({ ...owner, agentPgid: pgid })),
        release: () => releaseIfOurs(file),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readOwner(file);
      // A lock just created and not yet written belongs to a run starting right now.
      const justCreated = !holder && Date.now() - mtime(file) < 5000;
      if (justCreated || (holder && alive(holder.pid) && holder.pid !== process.pid)) {
        throw new LanesError(
          `${owner.task} is already running in this repository${holder ? ` (pid ${holder.pid}, since ${holder.startedAt})` : ''}.`,
          { hint: 'Wait for that run to finish, or stop it; nothing was changed by this one.' },
        );
      }
      // The holder died (kill -9, crash): its lock is stale, and its agent may still be running.
      if (holder?.agentPgid) signalProcessGroup(holder.agentPgid, 'SIGKILL');
      rmSync(file, { force: true });
    }
  }
  throw new LanesError(`Could not take the lock ${file} for ${owner.task}.`, { hint: 'Remove it if no run is going on.' });
}


function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

function releaseIfOurs(file: string): void {
  if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true });
}
