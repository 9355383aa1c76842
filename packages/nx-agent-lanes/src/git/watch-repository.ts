import { compareRepository, snapshotRepository, type FileFingerprint, type RepositoryChange, type RepositorySnapshot, type SnapshotOptions } from './repository-fingerprint';
import { restoreRepository, type RestoreOutcome } from './restore-repository';
import { execGit } from './run-git';

export type RepositoryCheck = RestoreOutcome;

export interface WatchRepositoryOptions extends SnapshotOptions {
  /** Who is watched, e.g. `export/backend agent`: recorded with what its check puts back. */
  by: string;
}

export interface RepositoryWatch {
  before: RepositorySnapshot;
  /** Compares the repository with the snapshot, puts back what is safe to, and says all of it. */
  check(): Promise<RepositoryCheck>;
}

/**
 * Snapshots the repository before a lane's process runs (its agent, or the setup and tests
 * verify and integrate run); `check()` afterwards. Run-lane, verify and integrate all call this
 * around the code a lane controls.
 */
export async function watchRepository(repoRoot: string, options: WatchRepositoryOptions): Promise<RepositoryWatch> {
  const before = await snapshotRepository(repoRoot, options);
  return {
    before,
    async check() {
      const after = await snapshotRepository(repoRoot, options, { own: before.own });
      const changes = await nameConfigKeys(before, after, compareRepository(before, after));
      return restoreRepository(before, after, changes, options.by);
    },
  };
}

/**
 * One paragraph for a lane's result or the report: what moved while `who` ran, what was put
 * back, and what was left. Undefined when nothing moved.
 */
export function describeRepositoryCheck(check: RepositoryCheck, who: string): string | undefined {
  if (!check.changes.length) return undefined;
  const parts = [`${who} changed the repository outside its worktree, which no lane may do`];
  if (check.restored.length) parts.push(`put back: ${check.restored.join('; ')}`);
  if (check.kept.length) parts.push(`left as found: ${check.kept.join('; ')}`);
  return parts.join('. ');
}

const CONFIG_FILE = /(^|\/)config(\.worktree)?$/;

/** For a changed config file, the keys that came and went: "changed" alone would send the user diffing .git/config. */
async function nameConfigKeys(before: RepositorySnapshot, after: RepositorySnapshot, changes: RepositoryChange[]): Promise<RepositoryChange[]> {
  return Promise.all(
    changes.map(async (change) => {
      if (change.kind !== 'file' || !CONFIG_FILE.test(change.name)) return change;
      const was = await listConfigEntries(before, before.files[change.name]);
      const now = await listConfigEntries(before, after.files[change.name]);
      if (!was || !now) return change;
      const keys = (from: string[], without: string[]) => [...new Set(from.filter((e) => !without.includes(e)).map((e) => e.split('\n')[0]))];
      const added = keys(now, was);
      const removed = keys(was, now);
      const detail = [added.length ? `set ${added.join(', ')}` : '', removed.length ? `removed ${removed.join(', ')}` : ''].filter(Boolean);
      return detail.length ? { ...change, message: `${change.message} (${detail.join('; ')})` } : change;
    }),
  );
}

/** `key\nvalue` entries of a config file's bytes, read by git from standard input (no includes, nothing run). */
async function listConfigEntries(snapshot: RepositorySnapshot, file: FileFingerprint | undefined): Promise<string[] | undefined> {
  if (!file) return [];
  if (!file.content || file.type !== 'file') return undefined;
  const result = await execGit(snapshot.repoRoot, ['config', '--file', '-', '--list', '-z'], { input: file.content.toString('utf8') });
  return result.exitCode === 0 ? result.stdout.split('\0').filter(Boolean) : undefined;
}

/**
 * `check()` and describeRepositoryCheck in one step that never throws, for a `finally` that must
 * go on to save the lane's work: a check that cannot run is itself a reason to fail.
 */
export async function checkRepository(watch: RepositoryWatch | undefined, who: string): Promise<string | undefined> {
  if (!watch) return undefined;
  try {
    return describeRepositoryCheck(await watch.check(), who);
  } catch (error) {
    return `${who} ran, and then the repository could not be checked for changes outside its worktree (${error instanceof Error ? error.message : String(error)})`;
  }
}
