import type { Feature } from '../feature/feature-types';
import { GitError } from '../errors';
import { patchFiles } from '../git/lane-patch';
import { resolveCommitIdentity } from '../git/commit-identity';
import { writeLanesBranch } from '../git/lanes-branch';
import { headCommit, tryResolveCommit } from '../git/repo';
import { runGit } from '../git/run-git';
import { describeRepositoryCheck, watchRepository } from '../git/watch-repository';
import { currentNxInvocation } from '../lanes/nx-invocation';
import { redactSecrets, redactValue } from '../lanes/redact-secrets';
import { INTEGRATE_TARGET, type IntegrationArtifactFiles } from '../layout';
import type { ReviewReport } from '../report/review-report';
import { applyAndJudgeLanePatch, type LanePatchJudgement } from '../verify/judge-lane-patch';
import { runSetupThenTest, type CheckCommandResult } from '../verify/run-check-command';
import { buildReviewReport, type IntegrationRun } from './build-review-report';
import { planReadiness, readLaneStates, type LaneState } from './lane-state';
import { writeReviewReports } from './write-review-reports';
import { runStage, type Stage } from '../stage/run-stage';

export interface IntegrateOptions {
  workspaceRoot: string;
  feature: Feature;
  /** Default lanes/<feature>. */
  branch?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  log?: (line: string) => void;
  now?: () => number;
  /** The `nx` command this runs under; lanes whose marker names another one came from cache. */
  invocation?: string;
}

export interface IntegrateOutcome {
  report: ReviewReport;
  files: IntegrationArtifactFiles;
}

/**
 * All lanes merged and proven together: one commit per lane on a fresh worktree at the base,
 * the integration test on the merged tree, and lanes/<feature> moved only when it is green.
 * The user's checkout is never touched; the worktree is always removed.
 */
export async function integrateFeature(options: IntegrateOptions): Promise<IntegrateOutcome> {
  return runStage({ ...options, task: INTEGRATE_TARGET, sandbox: options.feature.sandbox, where: `integrate of ${options.feature.name}` }, (stage) =>
    integrateInStage(options, stage),
  );
}

async function integrateInStage(options: IntegrateOptions, stage: Stage): Promise<IntegrateOutcome> {
  const { workspaceRoot, feature } = options;
  const { repoRoot, secrets, log, signal, workspaceInRepo } = stage;
  const now = options.now ?? Date.now;
  const branch = options.branch ?? `lanes/${feature.name}`;
  const started = now();
  const base = await stage.resolveBase();
  const branchBefore = await tryResolveCommit(repoRoot, `refs/heads/${branch}`);
  const states = readLaneStates(workspaceRoot, feature);
  const run: IntegrationRun = {
    started,
    baseCommit: base.commit,
    branch,
    branchCommit: branchBefore,
    commits: {},
    judged: {},
    workspaceInRepo,
    invocation: options.invocation ?? currentNxInvocation(),
  };

  const notReady = planReadiness(states);
  if (notReady.length) {
    for (const n of notReady) log(`lane ${n.lane} is not ready: ${n.why}`);
    return write({ ...run, ended: now(), notReady });
  }

  // With a setup, the worktree installs its own dependencies instead of sharing the repository's.
  const worktree = await stage.openWorktree({ name: 'integration', kind: 'integration', baseCommit: base.commit, linkNodeModules: !feature.setup });
  const applied: LaneState[] = [];
  const refused: Array<{ lane: string; why: string }> = [];
  // readLaneStates reads the plan's lanes in order, one state each.
  for (const [i, state] of states.entries()) {
    if (!state.patch?.trim()) {
      log(`lane ${state.name} changed nothing: no commit`);
      continue;
    }
    const parent = await headCommit(worktree.path);
    let judgement: LanePatchJudgement;
    try {
      judgement = await applyAndJudgeLanePatch({
        worktree: worktree.path,
        patch: state.patch,
        feature,
        lane: feature.lanes[i],
        workspaceInRepo,
        commitMessage: commitMessage(feature, state),
        head: parent,
      });
    } catch (error) {
      // A lane after a refused one starts from its change: that conflict follows from the refusal.
      if (refused.length) break;
      const conflict = describeConflict(state, applied, error);
      log(`CONFLICT applying lane ${state.name}: ${conflict.files.join(', ')}`);
      return write({ ...run, ended: now(), conflict });
    }
    run.judged[state.name] = { ownership: judgement.ownership, risk: judgement.risk };
    if (!judgement.ok) {
      refused.push({ lane: state.name, why: `integrate refused its patch, whatever verify.json says: ${judgement.reason}` });
      log(`REFUSED lane ${state.name}: ${judgement.reason}`);
      await runGit(worktree.path, ['reset', '-q', '--hard', parent]);
      continue;
    }
    run.commits[state.name] = judgement.commit ?? parent;
    applied.push(state);
    log(`committed lane ${state.name} (${judgement.paths.length} file(s))`);
  }
  if (refused.length) return write({ ...run, ended: now(), notReady: refused });
  // What the tests may not change: lanes/<feature> gets the trees of the lane commits made above, whatever they commit.
  const watch = await watchRepository(repoRoot, {
    worktree: { path: worktree.path, branch: worktree.branch, branchMayMove: false },
    featureBranch: branch,
    by: `${feature.name} integrate`,
  });
  const runProcess = worktree.runner();
  const ran = await runSetupThenTest({
    setup: feature.setup,
    test: feature.integration.test ? { label: 'integration test', command: feature.integration.test } : undefined,
    cwd: worktree.cwd,
    env: stage.keylessEnv,
    signal,
    log,
    runProcess,
    outputBytes: feature.limits.outputBytes,
  });
  if (runProcess.refusals.length) log(`the sandbox refused what setup or the integration test tried, e.g.: ${runProcess.refusals[0]}`);
  const { setup, test } = failOnRepositoryChange(ran, describeRepositoryCheck(await watch.check(), ran.test ? 'the integration test' : 'setup'), log);
  const green = (!setup || setup.passed) && (!test || test.passed);
  if (green) {
    const identity = await resolveCommitIdentity(repoRoot, stage.env);
    if (identity.fallbackNote) log(identity.fallbackNote);
    const lanes = applied.map((state) => ({ lane: state.name, tree: run.commits[state.name], message: branchCommitMessage(feature, state) }));
    const written = await writeLanesBranch({ repoRoot, branch, base: base.commit, lanes, identity, expectedOld: branchBefore });
    run.commits = written.commits;
    run.branchCommit = written.tip;
    log(written.kept ? `branch ${branch} stays at ${written.tip.slice(0, 10)}: same base, same lane changes` : `branch ${branch} now points at ${written.tip.slice(0, 10)}`);
  }
  return write({ ...run, ended: now(), setup, test: test ?? (setup && !setup.passed ? setup : undefined) });

  function write(done: IntegrationRun): IntegrateOutcome {
    // Redacted before rendering: JSON and HTML escape characters a secret may hold, hiding it from a text search.
    const report = redactValue(buildReviewReport({ feature, states, run: done, generatedAt: new Date(now()).toISOString() }), secrets);
    // Each run keeps its own report; the top-level one stays the last run that changed something.
    const written = writeReviewReports({ workspaceRoot, feature: feature.name, report, at: now(), redact: (text) => redactSecrets(text, secrets) });
    return { report: written.report, files: written.files };
  }
}

/**
 * A setup or integration test that changed the repository outside its worktree fails, with
 * what moved in its output, so the report and the terminal both name it.
 */
function failOnRepositoryChange(
  ran: { setup?: CheckCommandResult; test?: CheckCommandResult },
  moved: string | undefined,
  log: (line: string) => void,
): { setup?: CheckCommandResult; test?: CheckCommandResult } {
  if (!moved) return ran;
  log(moved);
  const fail = (r: CheckCommandResult): CheckCommandResult => ({ ...r, passed: false, outputTail: `${r.outputTail}\n${moved}`.trim() });
  return ran.test ? { setup: ran.setup, test: fail(ran.test) } : { setup: ran.setup && fail(ran.setup) };
}

function commitMessage(feature: Feature, state: LaneState): string {
  const summary = state.result?.summary?.trim();
  return `${feature.name}: ${state.name} lane\n\n${summary || `The ${state.name} lane of ${feature.name}.`}\n`;
}

/**
 * The lanes branch's message for a lane: the worktree commit's, with git trailers naming the lane
 * and the agent that wrote it (`git log --format='%(trailers)'` reads them). Values are one line.
 */
function branchCommitMessage(feature: Feature, state: LaneState): string {
  const line = (value: string) => value.replace(/\s+/g, ' ').trim();
  const trailers = [`Lane: ${state.name}`];
  if (state.result?.provider) trailers.push(`Agent-Provider: ${line(state.result.provider)}`);
  if (state.result?.model) trailers.push(`Agent-Model: ${line(state.result.model)}`);
  return `${commitMessage(feature, state).replace(/\0/g, '')}\n${trailers.join('\n')}\n`;
}

/** Which files did not apply, and which earlier lanes touched them. */
function describeConflict(state: LaneState, applied: readonly LaneState[], error: unknown) {
  const failing = error instanceof GitError ? filesFromMessage(error.message, patchFiles(state.patch ?? '')) : [];
  const files = failing.length ? failing : patchFiles(state.patch ?? '');
  const touchedBy: Record<string, string[]> = {};
  for (const file of files) {
    touchedBy[file] = applied.filter((a) => patchFiles(a.patch ?? '').includes(file)).map((a) => a.name);
  }
  return { lane: state.name, files, touchedBy };
}

function filesFromMessage(message: string, candidates: string[]): string[] {
  return candidates.filter((c) => message.includes(c));
}
