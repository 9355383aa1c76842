import { lstat, realpath } from 'node:fs/promises';
import * as path from 'node:path';
import { checkOwnership, type OwnershipPlan } from '../../ownership';
import type { AgentRunInput } from '../provider';

/*
 * Where the anthropic provider decides which paths a lane's agent may read and write. The
 * ownership verdict itself is `checkOwnership` from src/ownership, so the agent is refused
 * exactly what verify-lane would reject later; this module adds what only the live file system
 * can tell: where a path really lands once symbolic links are followed.
 */

export type LaneOwnership = AgentRunInput['ownership'];

export type GuardedPath =
  | { ok: true; /** Worktree-relative, `/`-separated; `` for the root. */ relative: string; absolute: string }
  | { ok: false; message: string };

export interface GuardReadPathOptions {
  worktree: string;
  path: string;
}

export interface GuardWritePathOptions {
  worktree: string;
  lane: string;
  ownership: LaneOwnership;
  path: string;
}

/** A path the agent may read: inside the worktree once links are followed, and not git's own data. */
export async function guardReadPath({ worktree, path: raw }: GuardReadPathOptions): Promise<GuardedPath> {
  const lexical = normalizeRelative(raw, { allowRoot: true });
  if (!lexical.ok) return lexical;
  const { relative } = lexical;
  if (isUnderGit(relative)) return { ok: false, message: gitMessage(raw) };
  const real = await resolveRealRelative(worktree, relative);
  if (real.kind === 'outside') return { ok: false, message: outsideMessage(raw, real.target) };
  if (real.kind === 'dangling') return { ok: false, message: `\`${raw}\` is a symbolic link whose target does not exist.` };
  if (isUnderGit(real.relative)) return { ok: false, message: gitMessage(raw) };
  return { ok: true, relative, absolute: path.join(worktree, relative) };
}

/**
 * A path the agent may create, change or delete: lexically inside the worktree, owned by the
 * lane (`owns`, not `forbids`, not another lane's, not .git or node_modules), and still all of
 * that after symbolic links in its parents, or the file itself, are followed.
 */
export async function guardWritePath({ worktree, lane, ownership, path: raw }: GuardWritePathOptions): Promise<GuardedPath> {
  const lexical = normalizeRelative(raw, { allowRoot: false });
  if (!lexical.ok) return lexical;
  const { relative } = lexical;
  const plan = buildOwnershipPlan(lane, ownership);
  const refusal = judgeOwnership(plan, lane, ownership, relative, raw);
  if (refusal) return { ok: false, message: refusal };
  const real = await resolveRealRelative(worktree, relative);
  if (real.kind === 'outside') return { ok: false, message: outsideMessage(raw, real.target) };
  if (real.kind === 'dangling') {
    return { ok: false, message: `\`${raw}\` is a symbolic link whose target does not exist; writing it would create a file elsewhere.` };
  }
  if (real.relative !== relative) {
    const viaLink = judgeOwnership(plan, lane, ownership, real.relative, real.relative);
    if (viaLink) {
      return { ok: false, message: `\`${raw}\` leads through a symbolic link to \`${real.relative}\`: ${viaLink}` };
    }
  }
  return { ok: true, relative, absolute: path.join(worktree, relative) };
}

type Lexical = { ok: true; relative: string } | { ok: false; message: string };

/** The path as the worktree-relative, `/`-separated form ownership patterns are written in. */
function normalizeRelative(raw: unknown, { allowRoot }: { allowRoot: boolean }): Lexical {
  if (typeof raw !== 'string' || raw.trim() === '') {
    return { ok: false, message: 'Give `path` as a non-empty path relative to the worktree root, e.g. `src/index.ts`.' };
  }
  if (raw.includes('\0')) return { ok: false, message: 'The path contains a NUL character.' };
  if (path.isAbsolute(raw) || /^[a-zA-Z]:/.test(raw) || raw.startsWith('~')) {
    return {
      ok: false,
      message: `\`${raw}\` is an absolute path. Give paths relative to the worktree root (e.g. \`src/index.ts\`); nothing outside the worktree is reachable.`,
    };
  }
  // Backslashes count as separators so `..\\x` cannot slip past the `..` check.
  const normalized = path.posix.normalize(raw.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (normalized === '..' || normalized.startsWith('../')) {
    return { ok: false, message: `\`${raw}\` leaves the worktree; only paths inside it are reachable.` };
  }
  const relative = normalized === '.' || normalized === '' ? '' : normalized;
  if (relative === '' && !allowRoot) {
    return { ok: false, message: 'The path names the worktree root, not a file.' };
  }
  return { ok: true, relative };
}

function isUnderGit(relative: string): boolean {
  return relative.split('/').some((segment) => segment.toLowerCase() === '.git');
}

function gitMessage(raw: string): string {
  return `\`${raw}\` is inside .git, git's own data, which the agent may not read or change. Work with the files of the worktree.`;
}

function outsideMessage(raw: string, target: string): string {
  return `\`${raw}\` resolves through a symbolic link to \`${target}\`, outside the worktree; only files inside the worktree are reachable.`;
}

type RealRelative =
  | { kind: 'inside'; relative: string }
  | { kind: 'outside'; target: string }
  | { kind: 'dangling' };

/**
 * Where `relative` really lands: the deepest part of it that exists is resolved by realpath
 * (following every link in its parents and the file itself), the rest appended as written.
 */
async function resolveRealRelative(worktree: string, relative: string): Promise<RealRelative> {
  const rootReal = await realpath(worktree);
  let existing = path.join(rootReal, relative);
  const missing: string[] = [];
  while (!(await exists(existing))) {
    missing.unshift(path.basename(existing));
    existing = path.dirname(existing);
  }
  let resolved: string;
  try {
    resolved = path.join(await realpath(existing), ...missing);
  } catch {
    return { kind: 'dangling' };
  }
  const rel = path.relative(rootReal, resolved);
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return { kind: 'outside', target: resolved };
  return { kind: 'inside', relative: rel.split(path.sep).join('/') };
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

/** The lane's refusal for `relative`, worded for the model with what it can do instead; undefined when owned. */
function judgeOwnership(
  plan: OwnershipPlan,
  lane: string,
  ownership: LaneOwnership,
  relative: string,
  shown: string,
): string | undefined {
  const [violation] = checkOwnership(plan, lane, [relative]);
  if (!violation) return undefined;
  const owned = `Your lane owns: ${ownership.owns.map((o) => `\`${o}\``).join(', ') || '(nothing)'}.`;
  switch (violation.reason) {
    case 'outside-workspace':
      return `\`${shown}\` is outside the worktree. ${owned}`;
    case 'protected':
      return `\`${shown}\` is inside .git or node_modules, which no lane may change. ${owned}`;
    case 'forbidden':
      return `${violation.message} Leave it as it is; if your lane cannot be done without changing it, call report_blocker.`;
    case 'owned-by-other-lane':
      return (
        `\`${shown}\` belongs to lane \`${violation.otherLane}\`, which is changing it right now; you may not write it. ` +
        `Build against the contract instead, or call report_blocker if you need something from lane \`${violation.otherLane}\`. ${owned}`
      );
    case 'not-owned':
      return `\`${shown}\` is not owned by lane \`${lane}\`. ${owned} If your lane cannot be done without changing it, call report_blocker.`;
  }
}

/** The provider knows this lane's ownership and the other lanes' owned files: all checkOwnership reads. */
function buildOwnershipPlan(lane: string, ownership: LaneOwnership): OwnershipPlan {
  return {
    name: 'lane-ownership',
    file: 'feature.jsonc',
    lanes: [
      { name: lane, owns: ownership.owns, forbids: ownership.forbids },
      ...ownership.otherLanes
        .filter((other) => other.name !== lane)
        .map((other) => ({ name: other.name, owns: other.owns, forbids: other.forbids ?? [] })),
    ],
  };
}
