/**
 * Puts back what a lane's process changed in the user's repository, where that is safe, and
 * says what it put back and what it left: every change ends in one of the two lists.
 *
 * Lanes run side by side on one .git, and each watches all of it. So every put-back is written
 * to a ledger in the common dir: a lane seeing a change that another lane's check put back does
 * not take it for its own agent's (nor put the planted content back, when its own snapshot was
 * taken after the plant), and a lane whose window saw a change another lane put back first is
 * still told of it. A change made while two lanes' agents ran fails both: without the sandbox,
 * nothing tells which agent wrote to the shared .git.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LANES_GIT_DIR } from '../layout/paths';
import { digest, displayPath, type RepositoryChange, type RepositorySnapshot } from './repository-fingerprint';
import { withRepositoryLock } from './repository-lock';
import { execGit } from './run-git';

export interface RestoreOutcome {
  /** The changes made while this lane's process ran (put back by another lane's check or not). */
  changes: RepositoryChange[];
  /** One sentence per change put back. */
  restored: string[];
  /** One sentence per change left as it is, with why and what the user can run. */
  kept: string[];
}

const LEDGER_FILE = 'restored.jsonl';
/** Ledger entries older than this are dropped: no lane's watch lasts that long. */
const LEDGER_KEEP_MS = 7 * 24 * 3600 * 1000;
const ABSENT = 'absent';

interface LedgerEntry {
  /** The lane whose check put it back. */
  by: string;
  kind: RepositoryChange['kind'];
  name: string;
  message: string;
  /** When the change was made (the kernel's ctime, which a process cannot set back). */
  changedAt: number;
  restoredAt: number;
  /** What the change had left (sha256 of a file, a ref's object id, or `absent`), and what was put back. */
  removed: string;
  restored: string;
}

export async function restoreRepository(
  before: RepositorySnapshot,
  after: RepositorySnapshot,
  changes: readonly RepositoryChange[],
  by: string,
): Promise<RestoreOutcome> {
  const outcome: RestoreOutcome = { changes: [], restored: [], kept: [] };
  return withRepositoryLock(before.repoRoot, { task: 'check what a lane changed in the repository' }, async () => {
    const ledger = readLedger(before.commonDir);
    const added: LedgerEntry[] = [];
    const madeHere = commitsMadeInOwnWorktree(after);
    for (const change of changes) {
      const now = stateOf(after, change);
      if (ledger.some((e) => e.by !== by && e.name === change.name && e.restored === now && e.restoredAt >= before.startedAt)) continue;
      outcome.changes.push(change);
      // Read before putting back, which writes the file again.
      const changedAt = changeTime(after, change);
      const step =
        change.kind === 'file'
          ? restoreFile(before, after, change, ledger)
          : change.kind === 'own-head'
            ? restoreOwnHead(before, change)
            : change.kind === 'head'
              ? keep(change, 'not put back, since switching your checkout could overwrite your work; if you did not do this, switch it back yourself')
              : await restoreRef(before, change, change.kind === 'own-branch' || isAgents(before, change, madeHere));
      (step.restored ? outcome.restored : outcome.kept).push(step.text);
      if (step.restored && change.kind !== 'own-head') {
        added.push({ by, kind: change.kind, name: change.name, message: change.message, changedAt, restoredAt: Date.now(), removed: now, restored: stateOf(before, change) });
      }
    }
    const seen = new Set(outcome.changes.map((c) => c.name));
    for (const entry of ledger) {
      if (entry.by === by || seen.has(entry.name) || entry.changedAt < before.startedAt || entry.changedAt > after.endedAt) continue;
      outcome.changes.push({ kind: entry.kind, name: entry.name, message: entry.message });
      outcome.restored.push(`${entry.message}: put back by ${entry.by}, whose check found it first`);
    }
    writeLedger(before.commonDir, [...ledger, ...added]);
    return outcome;
  });
}

interface Step {
  restored: boolean;
  text: string;
}

const keep = (change: RepositoryChange, why: string): Step => ({ restored: false, text: `${change.message}: ${why}` });
const restored = (change: RepositoryChange, how: string): Step => ({ restored: true, text: `${change.message}: ${how}` });

function stateOf(snapshot: RepositorySnapshot, change: RepositoryChange): string {
  if (change.kind === 'file') return snapshot.files[change.name]?.sha256 ?? ABSENT;
  if (change.kind === 'head' || change.kind === 'own-head') return snapshot.heads[change.name] ?? ABSENT;
  return snapshot.refs[change.name] ?? ABSENT;
}

/** When a change was made: the ctime of what it wrote, or of the folder it removed something from. */
function changeTime(after: RepositorySnapshot, change: RepositoryChange): number {
  const ctime = (file: string) => {
    try {
      return fs.lstatSync(file).ctimeMs;
    } catch {
      return 0;
    }
  };
  const file = path.join(after.commonDir, change.name);
  const times = [ctime(file) || ctime(path.dirname(file))];
  if (change.kind === 'ref' || change.kind === 'own-branch') times.push(ctime(path.join(after.commonDir, 'packed-refs')));
  return Math.max(...times) || Date.now();
}

/**
 * A ref is the agent's doing when it now points at a commit made in the watched worktree (its
 * HEAD reflog records every commit made there, whatever branch HEAD named), when it was deleted
 * (putting a ref back loses nothing), or when it is the feature's lanes branch, which only
 * integrate moves. A user's branch that moved to some other commit may be the user's own work.
 */
function isAgents(before: RepositorySnapshot, change: RepositoryChange, madeHere: ReadonlySet<string>): boolean {
  if (change.after === undefined || change.name === before.featureBranch) return true;
  return madeHere.has(change.after);
}

function commitsMadeInOwnWorktree(after: RepositorySnapshot): Set<string> {
  const made = new Set<string>();
  if (!after.own) return made;
  for (const log of [path.join(after.commonDir, after.own.adminDir, 'logs', 'HEAD'), path.join(after.commonDir, 'logs', after.own.branch)]) {
    let text = '';
    try {
      text = fs.readFileSync(log, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const next = line.split(' ')[1];
      if (next && /^[0-9a-f]{40,64}$/.test(next)) made.add(next);
    }
  }
  return made;
}

async function restoreRef(before: RepositorySnapshot, change: RepositoryChange, agents: boolean): Promise<Step> {
  const ref = change.name;
  if (!agents) {
    const how = change.before === undefined ? `git update-ref -d ${ref}` : `git update-ref ${ref} ${change.before}`;
    return keep(change, `not put back, since it was not moved from the lane's worktree; if you did not do this yourself, run \`${how}\``);
  }
  // Compare-and-swap on what we saw: a ref that moved again since is someone's newer work.
  const message = ['-m', `nx-agent-lanes: restore ${ref}`];
  const args =
    change.before === undefined
      ? ['update-ref', ...message, '-d', ref, change.after ?? '']
      : ['update-ref', ...message, ref, change.before, change.after ?? ''];
  const result = await execGit(before.repoRoot, args);
  if (result.exitCode !== 0) return keep(change, `could not be put back (${result.stderr.trim().split('\n')[0]})`);
  return restored(change, change.before === undefined ? 'deleted again' : `put back at ${change.before.slice(0, 10)}`);
}

function restoreOwnHead(before: RepositorySnapshot, change: RepositoryChange): Step {
  fs.writeFileSync(path.join(before.commonDir, change.name), `${change.before}\n`);
  return restored(change, 'put back on its branch');
}

function restoreFile(before: RepositorySnapshot, after: RepositorySnapshot, change: RepositoryChange, ledger: readonly LedgerEntry[]): Step {
  const was = before.files[change.name];
  const file = path.join(before.commonDir, change.name);
  if (was && ledger.some((e) => e.name === change.name && e.removed === was.sha256)) {
    return keep(change, 'not put back, since its earlier content is what nx-agent-lanes already removed as planted');
  }
  const content = was?.content;
  if (was && !content) return keep(change, 'not put back, since it is too large to have been kept; compare it with your backup');
  fs.rmSync(file, { force: true });
  if (!was || !content) return restored(change, 'removed again');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (was.type === 'symlink') {
    fs.symlinkSync(content.toString(), file);
  } else {
    fs.writeFileSync(file, content, { mode: was.mode });
    fs.chmodSync(file, was.mode);
    if (digest(fs.readFileSync(file)) !== was.sha256) return keep(change, `could not be put back at ${displayPath(before, change.name)}`);
  }
  return after.files[change.name] ? restored(change, 'put back as it was') : restored(change, 'put back');
}

function ledgerFile(commonDir: string): string {
  return path.join(commonDir, LANES_GIT_DIR, LEDGER_FILE);
}

function readLedger(commonDir: string): LedgerEntry[] {
  let text = '';
  try {
    text = fs.readFileSync(ledgerFile(commonDir), 'utf8');
  } catch {
    return [];
  }
  const entries: LedgerEntry[] = [];
  for (const line of text.split('\n')) {
    try {
      if (line) entries.push(JSON.parse(line) as LedgerEntry);
    } catch {
      // A torn line from a killed process: the rest still counts.
    }
  }
  return entries;
}

function writeLedger(commonDir: string, entries: readonly LedgerEntry[]): void {
  const kept = entries.filter((e) => e.restoredAt > Date.now() - LEDGER_KEEP_MS);
  if (!kept.length && !fs.existsSync(ledgerFile(commonDir))) return;
  fs.mkdirSync(path.dirname(ledgerFile(commonDir)), { recursive: true });
  fs.writeFileSync(ledgerFile(commonDir), kept.map((e) => `${JSON.stringify(e)}\n`).join(''));
}
