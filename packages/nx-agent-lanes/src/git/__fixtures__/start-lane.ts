/**
 * Test support: what one lane does with git at start-up (prune, make its worktree, prune), run
 * as its own process by the race spec. Prints one JSON line, `{ path, branch }` or `{ error }`,
 * then stays alive (its worktree live) until its standard input closes.
 */
import { createLaneWorktree, pruneStaleWorktrees } from '../lane-worktree';

const [repoRoot, worktreesRoot, feature, lane] = process.argv.slice(2);

async function main(): Promise<void> {
  try {
    await pruneStaleWorktrees(repoRoot);
    const worktree = await createLaneWorktree({ repoRoot, feature, lane, baseCommit: 'HEAD', worktreesRoot, linkNodeModules: false });
    await pruneStaleWorktrees(repoRoot);
    process.stdout.write(`${JSON.stringify({ path: worktree.path, branch: worktree.branch })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`);
  }
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

void main();
