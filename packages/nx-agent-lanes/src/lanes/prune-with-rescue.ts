import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { captureSecretFreePatch } from './capture-secret-free-patch';
import { pruneStaleWorktrees } from '../git/lane-worktree';
import { findRepoRoot, gitCommonDir } from '../git/repo';
import { LANES_GIT_DIR, laneArtifactsDir } from '../layout';
import { stopOrphanedAgents } from './lane-lock';
import { RUN_ID_ENV } from './nx-invocation';
import { collectSecrets } from './redact-secrets';

export interface PruneWithRescueOptions {
  repoRoot: string;
  workspaceRoot: string;
  /** Where the run id is read from. Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Cleans up what killed runs left (agents still running, worktrees, branches), first saving
 * each dead agent's uncommitted work as `dist/agent-lanes/<feature>/<lane>/rescued/<worktree>.patch`,
 * so a `kill -9` loses no agent work. Each lane, verify and integrate task calls this at start-up;
 * it does nothing when `pruneOnce` already did it for this `nx` command, which is known when the
 * command's run id (NX_AGENT_LANES_RUN_ID, which the hook sets) is the one pruneOnce recorded.
 * The run id alone would not do: the hook sets it for its own purposes whether or not it pruned.
 * Returns one line per thing done, for the log.
 */
export async function pruneWithRescue(options: PruneWithRescueOptions): Promise<string[]> {
  const runId = (options.env ?? process.env)[RUN_ID_ENV];
  if (runId && readPrunedRun(await stampFile(options.repoRoot)) === runId) return [];
  return pruneAndRescue(options);
}

/**
 * Prunes the repository's stale worktrees once for a whole `nx` command, under the repository
 * lock, before any lane starts: the run-level hook calls it, then the lanes of the command skip
 * their own prune. Records `runId` as pruned; returns one line per thing done.
 */
export async function pruneOnce(options: { workspaceRoot: string; repoRoot?: string; runId: string }): Promise<string[]> {
  const repoRoot = options.repoRoot ?? (await findRepoRoot(options.workspaceRoot));
  const lines = await pruneAndRescue({ repoRoot, workspaceRoot: options.workspaceRoot });
  const file = await stampFile(repoRoot);
  // Whole or not at all: a lane of this run may read it at any moment.
  writeFileSync(`${file}.${process.pid}.tmp`, options.runId);
  renameSync(`${file}.${process.pid}.tmp`, file);
  return lines;
}

async function pruneAndRescue(options: { repoRoot: string; workspaceRoot: string }): Promise<string[]> {
  // Before saving a killed run's work: its agent may still be writing it.
  const lines = await stopOrphanedAgents(options.repoRoot);
  const removed = await pruneStaleWorktrees(options.repoRoot, {
    rescue: async (stale) => {
      // Verify and integrate worktrees hold copies of patches that are artifacts already.
      if (stale.kind !== 'lane') return;
      try {
        // The dead lane's feature is not read here, so only the built-in secrets are known.
        const { patch, withheld } = await captureSecretFreePatch({ worktree: stale.path, baseCommit: 'HEAD', secrets: collectSecrets(process.env) });
        if (withheld.length) lines.push(`left out of the rescued work, holding a secret value: ${withheld.map((w) => w.path).join(', ')}`);
        if (!patch.trim()) return;
        const dir = join(options.workspaceRoot, laneArtifactsDir(stale.feature, stale.lane), 'rescued');
        const file = join(dir, `${basename(stale.path)}.patch`);
        if (existsSync(file)) return; // saved by an earlier prune that died before removing the worktree
        mkdirSync(dir, { recursive: true });
        // Whole or not at all: a half-written patch would pass the check above and be kept forever.
        writeFileSync(`${file}.${process.pid}.tmp`, patch);
        renameSync(`${file}.${process.pid}.tmp`, file);
        lines.push(`saved the work of a killed ${stale.feature}/${stale.lane} agent (pid ${stale.pid}) to ${file}`);
      } catch (error) {
        lines.push(`could not save the work in ${stale.path} before removing it: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  });
  return [...lines, ...removed.map((p) => `pruned a stale worktree or branch left by an interrupted run: ${p}`)];
}

async function stampFile(repoRoot: string): Promise<string> {
  const dir = join(await gitCommonDir(repoRoot), LANES_GIT_DIR);
  mkdirSync(dir, { recursive: true });
  return join(dir, 'pruned-run');
}

function readPrunedRun(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}
