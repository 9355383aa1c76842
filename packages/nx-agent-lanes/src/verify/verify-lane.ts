import { readFileSync } from 'node:fs';
import type { Feature, Lane } from '../feature/feature-types';
import { upstreamLanes } from '../feature/plan-lanes';
import { describeFailure } from '../errors';
import { patchFiles } from '../git/lane-patch';
import { describeRepositoryCheck, watchRepository } from '../git/watch-repository';
import { sha256 } from '../hashing/sha256';
import { redactValue } from '../lanes/redact-secrets';
import type { LaneProcessRunner } from '../stage/lane-process-runner';
import { runStage, type Stage } from '../stage/run-stage';
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
  const { lane } = options;
  return runStage(
    { ...options, task: verifyTarget(lane.name), sandbox: lane.sandbox, where: `verify of lane ${lane.name}` },
    (stage) => verifyInStage(options, stage),
  );
}

async function verifyInStage(options: VerifyLaneOptions, stage: Stage): Promise<VerifyResult> {
  const { workspaceRoot, feature, lane } = options;
  const { secrets, log, signal, workspaceInRepo } = stage;
  const started = Date.now();
  const artifacts = laneArtifactFiles(workspaceRoot, feature.name, lane.name);
  const laneResult = readLaneResult(artifacts);
  const patch = readLanePatch(artifacts) ?? '';
  // Until git has applied the patch (a lane that did not finish, a patch that does not apply),
  // verify.json can only list the plugin's own reading of it; applyAndJudgeLanePatch decides.
  const paths = toWorkspacePaths(patchFiles(patch), workspaceInRepo);
  const ownership = judgeOwnership(feature, lane, paths);
  const risk = classifyRisk(feature, lane, paths);

  let baseCommit: string | undefined;
  let runProcess: LaneProcessRunner | undefined;
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
      sandboxed: stage.sandboxed,
      ...(runProcess?.refusals.length ? { sandboxRefusals: [...runProcess.refusals] } : {}),
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
  try {
    // The tests run on today's base (what verify's hash covers), not the base the agent started from.
    const base = await stage.resolveBase();
    baseCommit = base.commit;
    const worktree = await stage.openWorktree({
      name: `verify-${lane.name}`,
      kind: 'verify',
      baseCommit: base.commit,
      patches: upstream.filter((u) => u.patch.trim()).map((u) => ({ patch: u.patch, message: `${feature.name}: ${u.name} lane` })),
      // With a setup, the worktree installs its own dependencies instead of sharing the repository's.
      linkNodeModules: !feature.setup,
    });
    const judgement = await applyAndJudgeLanePatch({
      worktree: worktree.path,
      patch,
      feature,
      lane,
      workspaceInRepo,
      commitMessage: `${feature.name}: ${lane.name} lane (verify)`,
      head: worktree.startCommit,
    });
    const judged = { files: judgement.paths, ownership: judgement.ownership, risk: judgement.risk };
    if (!judgement.ok) return finish({ ...judged, passed: false, reason: judgement.reason });
    const watch = await watchRepository(stage.repoRoot, {
      worktree: { path: worktree.path, branch: worktree.branch, branchMayMove: false },
      featureBranch: `lanes/${feature.name}`,
      by: `${feature.name}/${lane.name} verify`,
    });
    const { setup, test: tests } = await runSetupThenTest({
      setup: feature.setup,
      test: { label: 'test', command: lane.test },
      cwd: worktree.cwd,
      env: stage.keylessEnv,
      signal,
      log,
      runProcess: (runProcess = worktree.runner()),
      outputBytes: lane.limits.outputBytes,
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
    // The hint (how to install the sandbox, which command to run) stays with the reason.
    return finish({ passed: false, reason: describeFailure(error) });
  }
}
