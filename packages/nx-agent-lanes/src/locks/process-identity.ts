/**
 * Who holds a lock, told apart from whatever process later gets the same pid. A pid alone is
 * not enough: `kill(pid, 0)` succeeds on a zombie (a killed process its parent has not reaped,
 * which is what a killed run becomes in a container with no reaping init), and a pid is reused
 * once its process is gone.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessIdentity {
  pid: number;
  /**
   * Linux: the start time in clock ticks after boot (field 22 of /proc/<pid>/stat), which a
   * reused pid does not share. Absent where there is no /proc, and in records written before
   * it was kept: then the pid alone is trusted.
   */
  startTime?: string;
  /** Linux: the kernel's boot id, so a record from before a reboot never matches a process started after it. */
  bootId?: string;
}

/** `live`: the recorded process; `zombie`: it, dead but not reaped; `gone`: no such process; `replaced`: its pid now names another process. */
export type ProcessStatus = 'live' | 'zombie' | 'gone' | 'replaced';

export interface ProcStat {
  /** Field 3: R, S, D, Z (zombie), X (dead), ... */
  state: string;
  /** Field 5: the process group id. */
  pgrp: number;
  /** Field 22. */
  startTime: string;
}

/**
 * Reads /proc/<pid>/stat. Field 2 is the command in parentheses and may itself hold spaces and
 * parentheses (a process may name itself `a) b (c`), so the fields are counted after the last ')'.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const end = text.lastIndexOf(')');
  if (end < 0) return undefined;
  const fields = text.slice(end + 1).trim().split(/\s+/);
  // fields[0] is field 3 (state), so field 5 is fields[2] and field 22 is fields[19].
  const [state, pgrp, startTime] = [fields[0], Number(fields[2]), fields[19]];
  return state && Number.isInteger(pgrp) && startTime && /^\d+$/.test(startTime) ? { state, pgrp, startTime } : undefined;
}

/** Where to look, for tests; the real /proc by default. */
export interface ProcSource {
  procRoot?: string;
}

/** A process's own identity never changes: read once per /proc (every lock attempt asks). */
const ownIdentity = new Map<string, ProcessIdentity>();

export function currentProcessIdentity(source: ProcSource = {}): ProcessIdentity {
  const procRoot = source.procRoot ?? '/proc';
  let identity = ownIdentity.get(procRoot);
  if (!identity) {
    identity = readProcessIdentity(process.pid, source) ?? { pid: process.pid };
    ownIdentity.set(procRoot, identity);
  }
  return identity;
}

/** The identity of a running (or zombie) process, as a lock records it; undefined when there is no such process on Linux. */
export function readProcessIdentity(pid: number, source: ProcSource = {}): ProcessIdentity | undefined {
  const procRoot = source.procRoot ?? '/proc';
  if (!hasProc(procRoot)) return { pid };
  const stat = readStat(pid, procRoot);
  if (!stat) return undefined;
  const bootId = readBootId(procRoot);
  return { pid, startTime: stat.startTime, ...(bootId ? { bootId } : {}) };
}

export function probeProcess(identity: ProcessIdentity, source: ProcSource = {}): ProcessStatus {
  const procRoot = source.procRoot ?? '/proc';
  if (!hasProc(procRoot)) {
    // No /proc (macOS, BSD): kill(pid, 0) is all there is, and it cannot tell a zombie or a
    // reused pid from the recorded process; such a lock is trusted until its pid is free.
    return signalZero(identity.pid) ? 'live' : 'gone';
  }
  if (identity.bootId && identity.bootId !== readBootId(procRoot)) return 'gone';
  const stat = readStat(identity.pid, procRoot);
  if (!stat) {
    // /proc mounted with hidepid hides other users' processes: only call it gone when the kernel agrees.
    return signalZero(identity.pid) ? 'live' : 'gone';
  }
  if (identity.startTime !== undefined && identity.startTime !== stat.startTime) return 'replaced';
  return stat.state === 'Z' || stat.state === 'X' ? 'zombie' : 'live';
}

/** True only for the very process recorded, still running (not a zombie, not a later process with its pid). */
export function isSameLiveProcess(identity: ProcessIdentity, source: ProcSource = {}): boolean {
  return probeProcess(identity, source) === 'live';
}

/**
 * Whether a process group still has a member that runs. A group of zombies still takes signals
 * (and keeps its id), but has nothing left to stop. Without /proc: whether the group exists.
 */
export function isProcessGroupRunning(pgid: number, source: ProcSource = {}): boolean {
  const procRoot = source.procRoot ?? '/proc';
  if (!hasProc(procRoot)) return signalZero(-pgid);
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return signalZero(-pgid);
  }
  return entries.some((name) => {
    if (!/^\d+$/.test(name)) return false;
    const stat = readStat(Number(name), procRoot);
    return stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X';
  });
}

/** For messages: `pid 4242, started at tick 98765 after boot`. */
export function describeProcessIdentity(identity: ProcessIdentity): string {
  return identity.startTime === undefined ? `pid ${identity.pid}` : `pid ${identity.pid}, started at tick ${identity.startTime} after boot`;
}

/** Reads an identity back from a record of unknown shape (a lock file written by any version). */
export function toProcessIdentity(value: { pid?: unknown; startTime?: unknown; bootId?: unknown }): ProcessIdentity | undefined {
  if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0) return undefined;
  return {
    pid: value.pid,
    ...(typeof value.startTime === 'string' ? { startTime: value.startTime } : {}),
    ...(typeof value.bootId === 'string' ? { bootId: value.bootId } : {}),
  };
}

const procPresent = new Map<string, boolean>();
function hasProc(procRoot: string): boolean {
  let present = procPresent.get(procRoot);
  if (present === undefined) {
    present = readStat(process.pid, procRoot) !== undefined || safeRead(`${procRoot}/self/stat`) !== undefined;
    procPresent.set(procRoot, present);
  }
  return present;
}

function readStat(pid: number, procRoot: string): ProcStat | undefined {
  const text = safeRead(`${procRoot}/${pid}/stat`);
  return text === undefined ? undefined : parseProcStat(text);
}

/** The boot id cannot change under a running process: read once per /proc. */
const bootIds = new Map<string, string | undefined>();
function readBootId(procRoot: string): string | undefined {
  if (!bootIds.has(procRoot)) bootIds.set(procRoot, safeRead(`${procRoot}/sys/kernel/random/boot_id`)?.trim() || undefined);
  return bootIds.get(procRoot);
}

function safeRead(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether a pid exists (EPERM: it exists but belongs to someone else). */
function signalZero(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
