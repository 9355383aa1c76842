import { chmodSync, closeSync, lstatSync, mkdirSync, mkdtempSync, openSync, readSync, readlinkSync, rmSync, symlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  captureLanePatch,
  listWorktreeChanges,
  needsNodeModulesExclude,
  patchFiles,
  stageFromSnapshot,
  type CapturedPatch,
} from '../git/lane-patch';
import type { PatchFileSize } from '../layout';
import type { PatchSizeLimits } from './describe-patch-file-sizes';
import { SecretScanner, findSecrets, type SecretValue } from './redact-secrets';

export interface WithheldFile {
  /** Worktree-relative path of a changed file left out of the patch. */
  path: string;
  /** Names of the secrets whose values it holds. */
  secrets: string[];
}

export interface SecretFreePatch extends CapturedPatch {
  withheld: WithheldFile[];
  /** Files in the patch larger than the warning limit, by path. */
  sizeWarnings: PatchFileSize[];
  /** Files larger than the maximum: left out of the patch, never read, copied or hashed. */
  sizeRefusals: PatchFileSize[];
}

const NO_SIZE_LIMITS: PatchSizeLimits = { patchFileWarnBytes: Infinity, patchFileMaxBytes: Infinity };

/**
 * The lane's change minus every file that holds a secret value, in its content, its symlink
 * target or its name. Redacting a patch would corrupt it, and lane.patch goes into the Nx cache
 * (local and remote), the lanes branch and the review report: so such a file is left out whole,
 * and the caller fails the lane.
 *
 * Nothing holding a secret may reach the repository's object store either, where it would
 * outlive the lane (and be pushed with it): `git add` in the worktree would hash every changed
 * file first and ask questions later. So each changed file is copied once into a private
 * snapshot while it is scanned, and the index is staged from that snapshot: git hashes exactly
 * the bytes that were checked, never a file an agent's leftover process rewrote in between.
 * The finished patch is checked again for values that only show up in it (context lines of a
 * file whose base already held the value).
 *
 * Each file is measured in the same pass, as the lane leaves it, text or binary: one past
 * `patchFileMaxBytes` is left out before it is read (a 50 MB file made a 67 MB patch in 14 s),
 * one past `patchFileWarnBytes` stays in and is named. A deleted file is not measured.
 */
export async function captureSecretFreePatch(options: {
  worktree: string;
  baseCommit: string;
  secrets: readonly SecretValue[];
  /** Default: no limit (a killed run's rescue keeps everything). */
  sizeLimits?: PatchSizeLimits;
}): Promise<SecretFreePatch> {
  const { worktree, baseCommit, secrets } = options;
  const { patchFileWarnBytes: warnBytes, patchFileMaxBytes: maxBytes } = options.sizeLimits ?? NO_SIZE_LIMITS;
  const exclude = await needsNodeModulesExclude(worktree);
  const { changed, committed } = await listWorktreeChanges(worktree, baseCommit, exclude);
  const withheld = new Map<string, string[]>();
  const refused = new Map<string, number>();
  const large = new Map<string, number>();
  const snapshot = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-snapshot-'));
  try {
    const stage: string[] = [];
    const tracked = new Map(changed.map((c) => [c.path, c.tracked]));
    for (const path of new Set([...changed.map((c) => c.path), ...committed])) {
      const copy = copyScanned({ worktree, snapshot, path, secrets, maxBytes });
      const inIndex = tracked.get(path);
      if (copy.tooLarge) refused.set(path, copy.bytes);
      else if (copy.secrets.length) withheld.set(path, copy.secrets);
      // Paths only committed are in the index already. A folder is a nested repository, of which
      // git would record only a commit id that no patch can carry. An untracked path that is gone
      // has nothing to stage; a tracked one is staged as removed.
      else if (inIndex !== undefined && copy.kind !== 'folder' && (copy.kind !== 'absent' || inIndex)) stage.push(path);
      if (!copy.tooLarge && !copy.secrets.length && copy.bytes > warnBytes) large.set(path, copy.bytes);
    }
    await stageFromSnapshot({ worktree, snapshot, paths: stage });
  } finally {
    rmSync(snapshot, { recursive: true, force: true });
  }
  const capture = () => captureLanePatch({ worktree, baseCommit, exclude: [...withheld.keys(), ...refused.keys()], staged: true, nodeModulesExclude: exclude });
  let captured = await capture();
  const late = secrets.length ? splitByFile(captured.patch).filter((s) => findSecrets(s.text, secrets).length) : [];
  if (late.length) {
    for (const s of late) for (const path of s.paths) withheld.set(path, findSecrets(s.text, secrets));
    captured = await capture();
  }
  return {
    ...captured,
    withheld: [...withheld].map(([path, names]) => ({ path, secrets: names })).sort(byPath),
    sizeWarnings: sizes(large, (path) => !withheld.has(path)),
    sizeRefusals: sizes(refused),
  };
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : 1;
}

function sizes(bytesByPath: ReadonlyMap<string, number>, keep: (path: string) => boolean = () => true): PatchFileSize[] {
  return [...bytesByPath].filter(([path]) => keep(path)).map(([path, bytes]) => ({ path, bytes })).sort(byPath);
}

/** Why a lane whose change held a secret failed, for result.json and the terminal. */
export function describeWithheldFiles(withheld: readonly WithheldFile[]): string {
  const files = withheld.map((w) => `${w.path} (${w.secrets.join(', ')})`).join(', ');
  return (
    `the agent wrote a secret value into ${files}; left out of lane.patch and of the repository's object store, so it stays ` +
    `out of the Nx cache, the lanes branch and the report. Have the code read the secret from the environment at run time, then rerun the lane`
  );
}

interface CopyOutcome {
  kind: 'file' | 'symlink' | 'folder' | 'absent';
  /** Names of the secrets found; the copy is removed when there are any. */
  secrets: string[];
  /** A file's size as read (at least as stat saw it when it was too large); 0 for anything else. */
  bytes: number;
  /** Larger than the maximum: not copied, and read no further than the maximum. */
  tooLarge?: boolean;
}

const READ_CHUNK = 1024 * 1024;

/**
 * Copies one changed path of the worktree into the snapshot, reading it once and scanning what
 * it read: its name, a symlink's target, a file's bytes (in chunks, so a large file is never
 * held whole). Anything else (a FIFO, a socket) is not opened: reading a FIFO would wait forever.
 * A file larger than `maxBytes` is not opened either, nor one that grows past it while it is read.
 */
function copyScanned(options: { worktree: string; snapshot: string; path: string; secrets: readonly SecretValue[]; maxBytes: number }): CopyOutcome {
  const { worktree, snapshot, path, secrets, maxBytes } = options;
  const named = findSecrets(path, secrets);
  if (named.length) return { kind: 'file', secrets: named, bytes: 0 };
  const source = join(worktree, path);
  const target = join(snapshot, path);
  let stat;
  try {
    stat = lstatSync(source);
  } catch {
    return { kind: 'absent', secrets: [], bytes: 0 };
  }
  if (stat.isDirectory()) return { kind: 'folder', secrets: [], bytes: 0 };
  if (stat.isSymbolicLink()) {
    const link = readlinkSync(source, { encoding: 'buffer' });
    const found = findSecrets(link, secrets);
    if (!found.length) {
      mkdirSync(dirname(target), { recursive: true });
      symlinkSync(link, target);
    }
    return { kind: 'symlink', secrets: found, bytes: 0 };
  }
  if (!stat.isFile()) return { kind: 'absent', secrets: [], bytes: 0 };
  if (stat.size > maxBytes) return { kind: 'file', secrets: [], bytes: stat.size, tooLarge: true };
  mkdirSync(dirname(target), { recursive: true });
  const scanner = new SecretScanner(secrets);
  const input = openSync(source, 'r');
  const output = openSync(target, 'w', 0o600);
  let bytes = 0;
  try {
    const chunk = Buffer.alloc(READ_CHUNK);
    for (let read = readSync(input, chunk); read > 0 && bytes <= maxBytes; read = readSync(input, chunk)) {
      const piece = chunk.subarray(0, read);
      bytes += read;
      scanner.push(piece);
      writeSync(output, piece);
    }
  } finally {
    closeSync(input);
    closeSync(output);
  }
  if (bytes > maxBytes) {
    rmSync(target, { force: true });
    return { kind: 'file', secrets: [], bytes: Math.max(bytes, stat.size), tooLarge: true };
  }
  const found = scanner.names();
  if (found.length) rmSync(target, { force: true });
  else chmodSync(target, stat.mode & 0o777);
  return { kind: 'file', secrets: found, bytes };
}

function splitByFile(patch: string): Array<{ paths: string[]; text: string }> {
  return patch
    .split(/(?=^diff --git )/m)
    .filter((text) => text.startsWith('diff --git '))
    .map((text) => ({ paths: patchFiles(text), text }));
}
