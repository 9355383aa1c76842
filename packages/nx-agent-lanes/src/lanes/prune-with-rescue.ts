import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { captureLanePatch } from '../git/lane-patch';
import { pruneStaleWorktrees } from '../git/lane-worktree';
import { laneArtifactsDir } from '../layout';

/**
 * Prunes what killed runs left (worktrees, branches), first saving each dead agent's
 * uncommitted work as `dist/agent-lanes/<feature>/<lane>/rescued/<worktree>.patch`, so a
 * `kill -9` loses no agent work. Verify and integrate worktrees hold no agent work.
 * Returns one line per thing done, for the log.
 */
export async function pruneWithRescue(options: { repoRoot: string; workspaceRoot: string }): Promise<string[]> {
  const lines: string[] = [];
  const removed = await pruneStaleWorktrees(options.repoRoot, {
    rescue: async (stale) => {
      if (stale.lane === 'integration' || stale.lane.startsWith('verify-')) return;
      try {
        const { patch } = await captureLanePatch({ worktree: stale.path, baseCommit: 'HEAD' });
        if (!patch.trim()) return;
        const dir = join(options.workspaceRoot, laneArtifactsDir(stale.feature, stale.lane), 'rescued');
        const file = join(dir, `${basename(stale.path)}.patch`);
        if (existsSync(file)) return; // another lane starting at the same moment saved it
        mkdirSync(dir, { recursive: true });
        // Written whole or not at all: two runs may rescue the same worktree at once.
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
