import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureLanePatch, patchFiles, type CapturedPatch } from '../git/lane-patch';
import { runGit } from '../git/run-git';
import { findSecrets, type SecretValue } from './redact-secrets';

export interface WithheldFile {
  /** Worktree-relative path of a changed file left out of the patch. */
  path: string;
  /** Names of the secrets whose values it holds. */
  secrets: string[];
}

export interface SecretFreePatch extends CapturedPatch {
  withheld: WithheldFile[];
}

/**
 * The lane's change as captureLanePatch sees it, minus every file that holds a secret value.
 * Redacting a patch would corrupt it, and lane.patch goes into the Nx cache (local and remote),
 * the lanes branch and the review report: so such a file is left out whole, and the caller fails
 * the lane. Files are read before `git add` so no blob holding a secret reaches the repository's
 * object store; the finished patch is checked again for values that only show up in it (context
 * lines of a file whose base already held the value).
 */
export async function captureSecretFreePatch(options: {
  worktree: string;
  baseCommit: string;
  secrets: readonly SecretValue[];
}): Promise<SecretFreePatch> {
  const { worktree, baseCommit, secrets } = options;
  if (!secrets.length) return { ...(await captureLanePatch({ worktree, baseCommit })), withheld: [] };
  const withheld = new Map<string, string[]>();
  for (const path of await listChangedPaths(worktree, baseCommit)) {
    const names = findSecrets(readRegularFile(join(worktree, path)) ?? Buffer.alloc(0), secrets);
    if (names.length) withheld.set(path, names);
  }
  let captured = await captureLanePatch({ worktree, baseCommit, exclude: [...withheld.keys()] });
  const late = splitByFile(captured.patch).filter((s) => findSecrets(s.text, secrets).length);
  if (late.length) {
    for (const s of late) for (const path of s.paths) withheld.set(path, findSecrets(s.text, secrets));
    captured = await captureLanePatch({ worktree, baseCommit, exclude: [...withheld.keys()] });
  }
  return { ...captured, withheld: [...withheld].map(([path, names]) => ({ path, secrets: names })).sort((a, b) => (a.path < b.path ? -1 : 1)) };
}

/** Why a lane whose change held a secret failed, for result.json and the terminal. */
export function describeWithheldFiles(withheld: readonly WithheldFile[]): string {
  const files = withheld.map((w) => `${w.path} (${w.secrets.join(', ')})`).join(', ');
  return (
    `the agent wrote a secret value into ${files}; left out of lane.patch so it stays out of the Nx cache, ` +
    `the lanes branch and the report. Have the code read the secret from the environment at run time, then rerun the lane`
  );
}

/** Paths changed since `baseCommit`: committed by the agent, staged, unstaged or untracked (.gitignore respected). */
async function listChangedPaths(worktree: string, baseCommit: string): Promise<string[]> {
  const committed = await runGit(worktree, ['diff', '--no-renames', '--name-only', '-z', baseCommit, 'HEAD']);
  const status = await runGit(worktree, ['status', '--porcelain', '-z', '--no-renames', '--untracked-files=all']);
  const fromStatus = status.split('\0').filter((e) => e.length > 3).map((e) => e.slice(3));
  return [...new Set([...committed.split('\0').filter(Boolean), ...fromStatus])];
}

/** A regular file's bytes; nothing for symlinks (their target path is what a patch holds), folders or deleted files. */
function readRegularFile(file: string): Buffer | undefined {
  try {
    return lstatSync(file).isFile() ? readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

function splitByFile(patch: string): Array<{ paths: string[]; text: string }> {
  return patch
    .split(/(?=^diff --git )/m)
    .filter((text) => text.startsWith('diff --git '))
    .map((text) => ({ paths: patchFiles(text), text }));
}
