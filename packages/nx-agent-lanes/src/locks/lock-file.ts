/**
 * Exclusive lock files shared by every process of a repository, each naming its holder by
 * process identity, and taken over once that holder is gone (kill -9, crash, zombie).
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LanesError } from '../errors';
import { currentProcessIdentity, describeProcessIdentity, isSameLiveProcess, toProcessIdentity, type ProcessIdentity } from './process-identity';

export interface LockHolder extends ProcessIdentity {
  /** What holds it, for messages: `export:lane--backend`, `create a worktree`. */
  task: string;
  /** When the lock was taken (ISO). */
  since: string;
  /** Unique per acquisition: release removes only the lock it took, never a successor's. */
  token: string;
}

export interface HeldLock<T extends LockHolder> {
  readonly file: string;
  readonly holder: T;
  /** Replaces the record (same token), whole or not at all. */
  update(holder: T): void;
  release(): void;
}

export type TryLockResult<T extends LockHolder> = { acquired: true; lock: HeldLock<T> } | { acquired: false; holder?: T };

export interface TryLockOptions<T extends LockHolder> {
  file: string;
  /** The record to write; pid, identity, since and token are filled in. */
  record: Omit<T, keyof LockHolder> & { task: string };
  /** Whether the recorded holder still runs. Default: isSameLiveProcess. */
  isLive?: (holder: T) => boolean;
  /** Told about a dead holder before its lock is taken over (to stop what it left running). */
  onStale?: (holder: T) => void;
}

/** A lock file a crashed writer left unreadable is trusted this long, then taken over. */
const UNREADABLE_GRACE_MS = 5000;

/** One attempt: takes the lock, or taking over a dead holder's, or says who holds it. */
export function tryLockFile<T extends LockHolder>(options: TryLockOptions<T>): TryLockResult<T> {
  mkdirSync(dirname(options.file), { recursive: true });
  const me = currentProcessIdentity();
  const holder = {
    ...options.record,
    ...me,
    since: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  } as unknown as T;
  const isLive = options.isLive ?? ((h: T) => isSameLiveProcess(h));
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createExclusive(options.file, JSON.stringify(holder))) return { acquired: true, lock: heldLock(options.file, holder) };
    const raw = readRaw(options.file);
    if (raw === undefined) continue; // released between our two looks
    const current = parseHolder<T>(raw);
    if (!current) {
      if (Date.now() - mtimeMs(options.file) < UNREADABLE_GRACE_MS) return { acquired: false };
    } else if (isLive(current)) {
      return { acquired: false, holder: current };
    } else {
      options.onStale?.(current);
    }
    takeOver(options.file, raw);
  }
  return { acquired: false, holder: parseHolder<T>(readRaw(options.file) ?? '') };
}

export interface WaitLockOptions<T extends LockHolder> extends TryLockOptions<T> {
  /** Give up after this long. */
  timeoutMs: number;
  /** Test seam. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Waits for the lock with a short, jittered backoff (the lock is held for a git command or two),
 * and fails with a LanesError naming the holder once `timeoutMs` has passed.
 */
export async function waitForLockFile<T extends LockHolder>(options: WaitLockOptions<T>): Promise<HeldLock<T>> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = Date.now();
  let delay = 10;
  for (;;) {
    const result = tryLockFile(options);
    if (result.acquired) return result.lock;
    if (Date.now() - started >= options.timeoutMs) {
      const who = result.holder ? `${result.holder.task} (${describeProcessIdentity(result.holder)}, since ${result.holder.since})` : 'a process that is starting';
      throw new LanesError(`Waited ${Math.round(options.timeoutMs / 1000)} s for ${options.file}, held by ${who}, to ${options.record.task}.`, {
        hint: `If no nx-agent-lanes run is going on in this repository, delete ${options.file} and run again.`,
      });
    }
    await sleep(delay / 2 + Math.random() * delay);
    delay = Math.min(delay * 2, 250);
  }
}

/** The holder recorded in a lock file, or undefined when there is none or it cannot be read. */
export function readLockHolder<T extends LockHolder>(file: string): T | undefined {
  const raw = readRaw(file);
  return raw === undefined ? undefined : parseHolder<T>(raw);
}

function heldLock<T extends LockHolder>(file: string, holder: T): HeldLock<T> {
  let current = holder;
  return {
    file,
    get holder() {
      return current;
    },
    update(next: T) {
      current = { ...next, token: holder.token };
      const tmp = `${file}.${process.pid}.${holder.token}.tmp`;
      writeFileSync(tmp, JSON.stringify(current));
      renameSync(tmp, file);
    },
    release() {
      if (readLockHolder<T>(file)?.token === holder.token) rmSync(file, { force: true });
    },
  };
}

/**
 * Creates the file with its content in one step: written beside it, then hard-linked into place,
 * which fails if the file exists. A reader never sees it empty, so a lock is never mistaken for a
 * half-written one. Where hard links are refused, an exclusive create and a write.
 */
function createExclusive(file: string, content: string): boolean {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.new`;
  writeFileSync(tmp, content);
  try {
    linkSync(tmp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    try {
      writeFileSync(file, content, { flag: 'wx' });
      return true;
    } catch (inner) {
      if ((inner as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw inner;
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Removes a dead holder's lock, and only that one. Two processes may judge the same stale lock
 * at once; if one of them has already replaced it with its own, a plain unlink by the other would
 * delete a live lock. So the file is first renamed aside (atomic: one process gets it), checked,
 * and put back with link() if it turned out to be a newer, live one.
 */
function takeOver(file: string, judged: string): void {
  const aside = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.stale`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    if (readRaw(aside) !== judged) linkSync(aside, file);
  } catch {
    // EEXIST: a third process took the free slot in the meantime; its lock stands.
  } finally {
    rmSync(aside, { force: true });
  }
}

function parseHolder<T extends LockHolder>(raw: string): T | undefined {
  try {
    const value = JSON.parse(raw) as Record<string, unknown>;
    if (!value || typeof value !== 'object' || !toProcessIdentity(value)) return undefined;
    // Records written before `since` and `token` existed carried `startedAt`.
    const since = typeof value.since === 'string' ? value.since : typeof value.startedAt === 'string' ? value.startedAt : 'an unknown time';
    return { ...value, since, task: typeof value.task === 'string' ? value.task : 'another run', token: String(value.token ?? '') } as unknown as T;
  } catch {
    return undefined;
  }
}

function readRaw(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function mtimeMs(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
