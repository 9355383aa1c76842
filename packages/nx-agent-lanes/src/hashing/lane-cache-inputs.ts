import type { TargetConfiguration } from '@nx/devkit';
import type { Feature, Lane } from '../feature/feature-types';
import { staticBases } from '../ownership';
import { sha256 } from './sha256';

/** Bump when the meaning of a lane's result changes, so old cache entries are not reused. */
export const LANE_KEY_VERSION = 2;

type Inputs = NonNullable<TargetConfiguration['inputs']>;

/**
 * A key as it goes into a task's options: its digest, not the data. Nx copies, sends between
 * processes and merges every option of every project on each graph build, so in a plan of
 * 10,000 lanes the data (the goal, the price table) alone would make tens of megabytes of
 * projects; the digest keys the task exactly as the data would. Every field is built in a
 * fixed order (see planAgentKey), so equal settings give equal digests.
 */
export function keyDigest(key: Record<string, unknown>): string {
  return `v${LANE_KEY_VERSION}-${sha256(JSON.stringify(key))}`;
}

/**
 * What decides a lane's agent task, as plain data. Its digest goes into the task's options because Nx
 * hashes a project's whole configuration (every target's executor, options and outputs) into
 * each of its tasks: one small project per lane then keys each lane on its own settings only,
 * with no custom hasher (deprecated in Nx 24, removed in 25). The feature-level settings a lane
 * inherits (goal, setup, base, secrets, the resolved agent) are copied in, so editing them reruns
 * every lane that sees them, and editing another lane reruns nothing here.
 */
export function planAgentKey(feature: Feature, lane: Lane): Record<string, unknown> {
  return {
    version: LANE_KEY_VERSION,
    goal: feature.goal,
    base: feature.base ?? 'HEAD',
    setup: feature.setup ?? null,
    secrets: feature.secrets,
    lane: {
      spec: lane.specPath,
      owns: lane.owns,
      forbids: lane.forbids,
      test: lane.test,
      after: lane.after,
      agent: lane.agent,
    },
  };
}

/**
 * What decides a lane's verify task: its test and setup, its ownership (the verdict judges only
 * this lane's owns and forbids) and the review rules that classify its files. Another lane's
 * ownership changes only the wording of a refusal, so it stays out.
 */
export function planVerifyKey(feature: Feature, lane: Lane): Record<string, unknown> {
  return {
    version: LANE_KEY_VERSION,
    base: feature.base ?? 'HEAD',
    setup: feature.setup ?? null,
    secrets: feature.secrets,
    risky: lane.risky ? ['**'] : feature.review.risky,
    lane: { owns: lane.owns, forbids: lane.forbids, test: lane.test, after: lane.after },
  };
}

/**
 * The agent task's file inputs. Owned files are read at the base commit, not in the working
 * tree, because that is what the agent starts from: an uncommitted edit must not rerun (and
 * pay for) an agent that would not see it, and committing it must. `git ls-tree` prints the
 * blob or tree id of each static base of the lane's patterns (a folder's tree id covers
 * everything inside it), so a glob is keyed on its folder: never less than it owns.
 */
export function planAgentInputs(feature: Feature, lane: Lane, files: { notes: string }): Inputs {
  return [
    `{workspaceRoot}/${feature.contractPath}`,
    `{workspaceRoot}/${lane.specPath}`,
    `{workspaceRoot}/${files.notes}`,
    { runtime: ownedAtBaseCommand(feature.base ?? 'HEAD', lane.owns) },
    { env: 'ANTHROPIC_BASE_URL' },
    // Claude Code reads these only when the plan opts in; then they steer the agent like the spec.
    ...(lane.agent.provider === 'claude-code' && lane.agent.claudeMd ? [{ runtime: claudeInstructionsAtBaseCommand(feature.base ?? 'HEAD') }] : []),
    // A lane that comes `after` others starts from their patches: key it on their content.
    ...(lane.after.length ? [{ dependentTasksOutputFiles: '**/lane.patch', transitive: true }] : []),
  ];
}

/** The verify task's inputs: the patches it applies and the whole base tree its tests may read. */
export function planVerifyInputs(feature: Feature): Inputs {
  return [
    { dependentTasksOutputFiles: '**/lane.patch', transitive: true },
    { runtime: `git rev-parse ${shellQuote(`${feature.base ?? 'HEAD'}^{tree}`)}` },
  ];
}

/** `git ls-tree <base> -- <bases>`; with no paths (a pattern based at the root) it lists the root tree. */
export function ownedAtBaseCommand(base: string, owns: readonly string[]): string {
  const bases = staticBases(owns);
  const paths = bases.includes('') ? [] : bases;
  return ['git', 'ls-tree', shellQuote(base), ...(paths.length ? ['--', ...paths.map(shellQuote)] : [])].join(' ');
}

/**
 * The ids of every CLAUDE.md and every file under a `.claude/` folder at the base commit: what
 * Claude Code's project setting source reads in the lane's worktree.
 */
export function claudeInstructionsAtBaseCommand(base: string): string {
  return `git ls-tree -r ${shellQuote(base)} | grep -E '[[:space:]](.*/)?(CLAUDE\\.md|\\.claude/.*)$' || true`;
}

/** POSIX single quotes: Nx runs runtime inputs through a shell. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./@:-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
