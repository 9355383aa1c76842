import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Feature, Lane } from '../feature/feature-types';
import { upstreamLanes } from '../feature/plan-lanes';
import { patchFiles } from '../git/lane-patch';
import { createLaneWorktree, removeLaneWorktree, type LaneWorktree } from '../git/lane-worktree';
import { findRepoRoot } from '../git/repo';
import { resolveRevision } from '../git/tree-blobs';
import { describeRepositoryCheck, watchRepository } from '../git/watch-repository';
import { sha256 } from '../hashing/sha256';
import { acquireLaneLock } from '../lanes/lane-lock';
import { collectSecrets, redactSecrets, redactValue } from '../lanes/redact-secrets';
import { describeCheckFailure } from './describe-check-failure';
import { applyAndJudgeLanePatch } from './judge-lane-patch';
import {
  laneArtifactFiles,
  laneTarget,
  readLanePatch,
  readLaneResult,
  verifyTarget,
  writeVerifyResult,
  type VerifyResult,
} from '../layout';
import { classifyRisk, judgeOwnership, toWorkspacePaths } from './plan-verdict';
import { runSetupThenTest } from './run-check-command';
import { pruneWithRescue } from '../lanes/prune-with-rescue';


export interface VerifyLaneOptions {
  workspaceRoot: string;
  feature: Feature;
  lane: Lane;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/**
 * Proves one lane alone: its patch (on top of the lanes it comes after) on a clean worktree at
 * the base, its change inside its own files, its tests green. Writes verify.json either way.
 */
export async function verifyLane(options: VerifyLaneOptions): Promise<VerifyResult> {
  const repoRoot = await findRepoRoot(options.workspaceRoot);
  const lock = await acquireLaneLock({ repoRoot, feature: options.feature.name, name: verifyTarget(options.lane.name) });
  try {
    return await verifyLaneInWorktree({ ...options, repoRoot });
  } finally {
    lock.release();
  }
}

async function verifyLaneInWorktree(options: VerifyLaneOptions & { repoRoot: string }): Promise<VerifyResult> {
  const { workspaceRoot, feature, lane, repoRoot } = options;
  const env = options.env ?? process.env;
  const secrets = collectSecrets(env, feature.secrets);
  const log = (line: string) => options.log?.(redactSecrets(line, secrets));
  const signal = options.signal ?? new AbortController().signal;
  const started = Date.now();
  const artifacts = laneArtifactFiles(workspaceRoot, feature.name, lane.name);
  const laneResult = readLaneResult(artifacts);
  const patch = readLanePatch(artifacts) ?? '';
  const workspaceInRepo = relative(repoRoot, workspaceRoot).split('\\').join('/');
  // Until git has applied the patch (a lane that did not finish, a patch that does not apply),
  // verify.json can only list the plugin's own reading of it; applyAndJudgeLanePatch decides.
  const paths = toWorkspacePaths(patchFiles(patch), workspaceInRepo);
  const ownership = judgeOwnership(feature, lane, paths);
  const risk = classifyRisk(feature, lane, paths);

  let baseCommit: string | undefined;
  const finish = (partial: Partial<VerifyResult> & Pick<VerifyResult, 'passed'>): VerifyResult => {
    const ended = Date.now();
    const result: VerifyResult = redactValue({
      feature: feature.name,
      lane: lane.name,
      laneStatus: laneResult?.status ?? 'missing',
      question: laneResult?.question,
      patchSha256: sha256(patch),
      baseCommit,
      files: paths,
      ownership,
      risk,
      startedAt: new Date(started).toISOString(),
      endedAt: new Date(ended).toISOString(),
      durationMs: ended - started,
      ...partial,
    }, secrets);
    writeVerifyResult(artifacts, result);
    return result;
  };

  if (!laneResult || laneResult.status !== 'done') {
    const why = !laneResult
      ? `lane ${lane.name} has no result: run nx run ${feature.name}:${laneTarget(lane.name)} first`
      : laneResult.status === 'blocked'
        ? `lane ${lane.name} is blocked on a question: ${laneResult.question ?? '(none given)'}`
        : `lane ${lane.name} ended ${laneResult.status}${laneResult.reason ? `: ${laneResult.reason}` : ''}`;
    return finish({ passed: false, reason: why });
  }
  const upstream = upstreamLanes(feature, lane).map((u) => ({
    name: u.name,
    patch: readFileSync(laneArtifactFiles(workspaceRoot, feature.name, u.name).patch, 'utf8'),
  }));
  // The tests run on today's base (what verify's hash covers), not the base the agent started from.
  const base = await resolveRevision(workspaceRoot, feature.base ?? 'HEAD');
  baseCommit = base.commit;
  for (const line of await pruneWithRescue({ repoRoot, workspaceRoot })) log(line);
  let worktree: LaneWorktree | undefined;
  try {
    worktree = await createLaneWorktree({
      repoRoot,
      feature: feature.name,
      lane: `verify-${lane.name}`,
      kind: 'verify',
      baseCommit: base.commit,
      patches: upstream.filter((u) => u.patch.trim()).map((u) => ({ patch: u.patch, message: `${feature.name}: ${u.name} lane` })),
    });
    const judgement = await applyAndJudgeLanePatch({
      worktree: worktree.path,
      patch,
      feature,
      lane,
      workspaceInRepo,
      commitMessage: `${feature.name}: ${lane.name} lane (verify)`,
    });
    const judged = { files: judgement.paths, ownership: judgement.ownership, risk: judgement.risk };
    if (!judgement.ok) return finish({ ...judged, passed: false, reason: judgement.reason });
    const cwd = join(worktree.path, workspaceInRepo);
    const watch = await watchRepository(repoRoot, {
      worktree: { path: worktree.path, branch: worktree.branch, branchMayMove: false },
      featureBranch: `lanes/${feature.name}`,
      by: `${feature.name}/${lane.name} verify`,
    });
    const { setup, test: tests } = await runSetupThenTest({
      setup: feature.setup,
      test: { label: 'test', command: lane.test },
      cwd,
      env,
      signal,
      log,
    });
    const moved = describeRepositoryCheck(await watch.check(), `lane ${lane.name}'s ${tests ? 'tests' : 'setup'}`);
    if (moved) log(moved);
    if (!tests) return finish({ ...judged, passed: false, reason: moved ?? describeCheckFailure('setup', setup!), setup });
    return finish({
      ...judged,
      passed: tests.passed && !moved,
      reason: moved ?? (tests.passed ? undefined : describeCheckFailure('tests', tests)),
      tests,
    });
  } catch (error) {
    return finish({ passed: false, reason: error instanceof Error ? error.message : String(error) });
  } finally {
    if (worktree) await removeLaneWorktree(worktree);
  }
}

