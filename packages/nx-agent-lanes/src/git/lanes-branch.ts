import { GitError } from '../errors';
import { identityArgs, type CommitIdentity } from './commit-identity';
import { resolveCommit } from './repo';
import { commandFailed, execGit, runGit } from './run-git';
import { parseWorktreeList } from './worktree-list';

/**
 * Points `refs/heads/<branch>` at `commit` without checking anything out (used by integrate
 * for `lanes/<feature>`). With `expectedOld` the update only happens if the branch is still
 * there (compare-and-swap); pass '' to require that it does not exist yet. Refuses a branch
 * checked out in any worktree: moving it would make that checkout's files look changed.
 */
export async function updateBranch(repoRoot: string, branch: string, commit: string, expectedOld?: string): Promise<void> {
  const ref = `refs/heads/${branch}`;
  if ((await execGit(repoRoot, ['check-ref-format', ref])).exitCode !== 0) {
    throw new GitError(`"${branch}" is not a valid git branch name.`, {
      hint: 'Use letters, digits, "-", "_", "." and "/" (see `git help check-ref-format`).',
    });
  }
  const worktrees = parseWorktreeList(await runGit(repoRoot, ['worktree', 'list', '--porcelain']));
  const holder = worktrees.find((entry) => entry.branch === branch);
  if (holder) {
    const whose = holder === worktrees[0] ? 'your checkout' : 'the worktree';
    throw new GitError(`The branch ${branch} is checked out in ${whose} at ${holder.path}, so nx-agent-lanes will not move it.`, {
      hint: `Switch that checkout to another branch (\`git switch -\`), or delete ${branch} if you do not need it.`,
    });
  }
  const sha = await resolveCommit(repoRoot, commit);
  const args = ['update-ref', '-m', `nx-agent-lanes: update ${branch}`, ref, sha];
  if (expectedOld !== undefined) args.push(expectedOld);
  const result = await execGit(repoRoot, args);
  if (result.exitCode === 0) return;
  if (expectedOld !== undefined && /but expected|already exists|unable to resolve reference|cannot lock ref/.test(result.stderr)) {
    throw new GitError(`The branch ${branch} moved while nx-agent-lanes was updating it, so it was left alone.\n${result.stderr.trim()}`, {
      hint: 'Something else changed it at the same time: look at it with `git log ' + branch + '`, then run again.',
    });
  }
  throw commandFailed(repoRoot, args, result);
}

/** One lane's commit as the lanes branch should hold it. */
export interface PlannedLaneCommit {
  lane: string;
  /** The tree the branch holds after this lane: a commit or tree the integration worktree made. */
  tree: string;
  /** The full commit message, trailers included. */
  message: string;
}

/** A commit of the branch as git holds it. */
export interface BranchCommit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
}

/**
 * Pure: whether the branch's newest commits are already what rebuilding would write: one commit
 * per planned lane, newest first in `existing`, each with one parent, the oldest on `base`, the
 * same trees and messages in the same order. Who made them and when does not count (issue 13: a
 * no-op run used to rewrite the branch with new commits). With nothing planned, the branch is the base.
 */
export function isBranchCurrent(options: { base: string; tip: string; existing: readonly BranchCommit[]; planned: readonly PlannedLaneCommit[] }): boolean {
  const { base, tip, existing, planned } = options;
  if (planned.length === 0) return tip === base;
  if (existing.length !== planned.length || existing[0]?.sha !== tip) return false;
  return existing.every((commit, i) => {
    const want = planned[planned.length - 1 - i];
    const parent = i + 1 < existing.length ? existing[i + 1].sha : base;
    return commit.parents.length === 1 && commit.parents[0] === parent && commit.tree === want.tree && commit.message === want.message;
  });
}

/** The newest `count` first-parent commits of `tip`, newest first. */
export async function readBranchCommits(repoRoot: string, tip: string, count: number): Promise<BranchCommit[]> {
  if (count === 0) return [];
  // -z: fields and commits end in NUL, which a commit message cannot hold.
  const args = ['log', '-z', '--no-show-signature', '--first-parent', `--max-count=${count}`, '--format=%H%x00%T%x00%P%x00%B', tip, '--'];
  const fields = (await runGit(repoRoot, args)).split('\0');
  const commits: BranchCommit[] = [];
  for (let i = 0; i + 3 < fields.length; i += 4) {
    commits.push({ sha: fields[i], tree: fields[i + 1], parents: fields[i + 2].split(' ').filter(Boolean), message: fields[i + 3] });
  }
  return commits;
}

export interface WriteLanesBranchOptions {
  repoRoot: string;
  branch: string;
  base: string;
  /** In merge order. */
  lanes: readonly PlannedLaneCommit[];
  identity: CommitIdentity;
  /** Where the branch was when the run began (compare-and-swap); undefined when it did not exist. */
  expectedOld: string | undefined;
}

export interface WrittenLanesBranch {
  tip: string;
  /** Each planned lane's commit on the branch. */
  commits: Record<string, string>;
  /** The branch already held these commits and was not moved. */
  kept: boolean;
}

/**
 * Points `branch` at one commit per lane on `base`, by `identity`, unless it already holds the
 * same trees and messages on the same base: then neither the commits nor the ref change. Commits
 * are written with plumbing (`commit-tree`), so no hook of the repository runs.
 */
export async function writeLanesBranch(options: WriteLanesBranchOptions): Promise<WrittenLanesBranch> {
  const { repoRoot, branch, base, identity, expectedOld } = options;
  const planned: PlannedLaneCommit[] = [];
  for (const lane of options.lanes) {
    planned.push({ ...lane, tree: (await runGit(repoRoot, ['rev-parse', '--verify', '--end-of-options', `${lane.tree}^{tree}`])).trim() });
  }
  if (expectedOld) {
    const existing = await readBranchCommits(repoRoot, expectedOld, planned.length);
    if (isBranchCurrent({ base, tip: expectedOld, existing, planned })) {
      const commits: Record<string, string> = {};
      planned.forEach((lane, i) => (commits[lane.lane] = existing[existing.length - 1 - i].sha));
      return { tip: expectedOld, commits, kept: true };
    }
  }
  let parent = base;
  const commits: Record<string, string> = {};
  for (const lane of planned) {
    parent = (await runGit(repoRoot, [...identityArgs(identity), 'commit-tree', lane.tree, '-p', parent], { input: lane.message })).trim();
    commits[lane.lane] = parent;
  }
  await updateBranch(repoRoot, branch, parent, expectedOld ?? '');
  return { tip: parent, commits, kept: false };
}
