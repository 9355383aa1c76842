import { LANES_GIT_DIR } from '../layout/paths';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LanesError } from '../errors';
import { gitCommonDir } from '../git/repo';
import { signalGroup } from '../sandbox/signal-processes';
import { readLockHolder, tryLockFile, type LockHolder } from '../locks/lock-file';
import { isProcessGroupRunning, isSameLiveProcess, probeProcess, readProcessIdentity, type ProcessIdentity } from '../locks/process-identity';

export interface LaneLock {
  /** Records the agent's process group, which a later run stops if this one dies without doing so. */
  recordAgentGroup(pgid: number): void;
  release(): void;
}

interface LaneLockHolder extends LockHolder {
  /** The agent's group leader: its pid is the group id. */
  agentGroup?: ProcessIdentity;
  /** Written before the leader's start time was kept. */
  agentPgid?: number;
}

/**
 * One run at a time per lane task (agent, verify or integrate) in a repository: two runs of
 * the same feature would write the same artifacts. The lock lives in the git common dir, which
 * every checkout of the repository shares and no tool scans; a lock whose process is gone (or a
 * zombie, or a later process with the same pid) is stale and taken over.
 */
export async function acquireLaneLock(options: {
  repoRoot: string;
  feature: string;
  name: string;
  /** Whether the recorded holder still runs. Default: the same live process (pid and start time). */
  isAlive?: (holder: ProcessIdentity) => boolean;
}): Promise<LaneLock> {
  const file = join(await locksDir(options.repoRoot), `${options.feature}--${options.name}.lock`);
  const task = `${options.feature}:${options.name}`;
  const result = tryLockFile<LaneLockHolder>({
    file,
    record: { task },
    isLive: options.isAlive,
    // The holder died (kill -9, crash): its agent may still be running.
    onStale: (holder) => void stopAgentGroupOf(holder),
  });
  if (!result.acquired) {
    const holder = result.holder;
    const who = holder
      ? ` (pid ${holder.pid}, since ${holder.since}${holder.startTime === undefined ? '' : `, process started at tick ${holder.startTime} after boot`})`
      : '';
    throw new LanesError(`${task} is already running in this repository${who}.`, {
      hint: 'Wait for that run to finish, or stop it; nothing was changed by this one.',
    });
  }
  const lock = result.lock;
  return {
    recordAgentGroup: (pgid) => lock.update({ ...lock.holder, agentGroup: readProcessIdentity(pgid) ?? { pid: pgid } }),
    release: () => lock.release(),
  };
}

/**
 * Stops the agents that runs killed in this repository left running, found through the lane
 * locks those runs still hold. A prune done once for a whole `nx` command comes before any lane
 * takes its lock over (which also stops them), and must not save and remove a worktree an
 * orphaned agent is still writing to. The locks themselves stay, for their lanes to take over.
 * Returns one line per group stopped, for the log.
 */
export async function stopOrphanedAgents(repoRoot: string): Promise<string[]> {
  const dir = await locksDir(repoRoot);
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.lock'));
  } catch {
    return [];
  }
  const lines: string[] = [];
  for (const name of names) {
    const holder = readLockHolder<LaneLockHolder>(join(dir, name));
    if (!holder || isSameLiveProcess(holder)) continue;
    const group = stopAgentGroupOf(holder);
    if (group !== undefined) lines.push(`stopped the agents of a killed ${holder.task} run (process group ${group})`);
  }
  return lines;
}

async function locksDir(repoRoot: string): Promise<string> {
  return join(await gitCommonDir(repoRoot), LANES_GIT_DIR, 'locks');
}

/**
 * Stops the agent group a dead holder recorded, unless its pid now names another process or
 * nothing in it runs any more (killed members of a container with no reaping init stay zombies,
 * and a group of zombies still takes signals). A leader that is gone or a zombie still leaves
 * its group id to the members it started (the kernel does not hand out a pid that is in use as
 * a group id), which are exactly what must stop. Returns the group id when it stopped one.
 */
function stopAgentGroupOf(holder: LaneLockHolder): number | undefined {
  const leader = holder.agentGroup ?? (holder.agentPgid ? { pid: holder.agentPgid } : undefined);
  if (!leader || probeProcess(leader) === 'replaced' || !isProcessGroupRunning(leader.pid)) return undefined;
  return signalGroup(leader.pid, 'SIGKILL') ? leader.pid : undefined;
}
