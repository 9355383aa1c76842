import { addUsage, createZeroUsage, roundUsd } from '../agents/provider';
import type { Feature } from '../feature/feature-types';
import { isAttemptUsageKnown, listLaneAttempts, sumLaneAttempts } from '../layout';
import { planNextSteps } from '../report/plan-next-steps';
import type { IntegrationOutcome, LaneReport, ReviewReport } from '../report/review-report';
import type { OwnershipVerdict, RiskClass } from '../verify/plan-verdict';
import type { CheckCommandResult } from '../verify/run-check-command';
import type { LaneState } from './lane-state';
import { extractFileDiffs } from './split-patch';

/** What happened in one integrate run, beside the lanes' artifacts. */
export interface IntegrationRun {
  started: number;
  ended?: number;
  baseCommit: string;
  branch: string;
  /** Where the branch points after the run (before it, when the run was not green). */
  branchCommit?: string;
  /** Each merged lane's commit on the integration worktree. */
  commits: Record<string, string>;
  /** Integrate's own verdict on each lane it applied: the report shows it, not verify.json's claim. */
  judged: Record<string, { ownership: OwnershipVerdict; risk: RiskClass }>;
  workspaceInRepo: string;
  /** The `nx` command integrate runs under (see currentNxInvocation). */
  invocation: string;
  notReady?: Array<{ lane: string; why: string }>;
  conflict?: { lane: string; files: string[]; touchedBy: Record<string, string[]> };
  setup?: CheckCommandResult;
  test?: CheckCommandResult;
}

/** Pure: the review report's model from the plan, the lanes' artifacts and the run. */
export function buildReviewReport(input: {
  feature: Feature;
  states: readonly LaneState[];
  run: IntegrationRun;
  generatedAt: string;
}): ReviewReport {
  const { feature, states, run } = input;
  const ended = run.ended ?? run.started;
  const toRepo = (p: string) => (run.workspaceInRepo ? `${run.workspaceInRepo}/${p}` : p);
  const lanes: LaneReport[] = states.map((s) => {
    const r = s.result;
    const v = s.verify;
    const judged = run.judged[s.name];
    const risk = judged?.risk ?? v?.risk;
    const ownership = judged?.ownership ?? v?.ownership;
    const riskyFiles = risk?.riskyFiles ?? [];
    const riskyDiff = riskyFiles.length && s.patch ? extractFileDiffs(s.patch, riskyFiles.map(toRepo)) : undefined;
    // Every attempt counts, whichever path replaced it (an answer, feedback, a kill): each was paid for.
    const attempts = listLaneAttempts(r);
    const spent = sumLaneAttempts(attempts);
    return {
      name: s.name,
      status: r?.status ?? 'failed',
      question: r?.question,
      reason: r ? r.reason : 'the lane has not run',
      summary: r?.summary,
      files: r?.filesChanged ?? [],
      tests: {
        command: feature.lanes.find((l) => l.name === s.name)?.test ?? '',
        passed: Boolean(v?.passed),
        exitCode: v?.tests?.exitCode ?? undefined,
        outputTail: v?.tests && !v.tests.passed ? v.tests.outputTail : undefined,
        durationMs: v?.tests?.durationMs,
      },
      ownership: {
        ok: ownership ? ownership.ok : true,
        violations: (ownership?.violations ?? []).map((x) => ({ path: x.path, message: x.message })),
      },
      turns: spent.turns,
      tokens: spent.tokens,
      costUsd: spent.costUsd,
      attempts,
      unknownAttempts: spent.unknown,
      startedAt: r?.startedAt ?? new Date(run.started).toISOString(),
      endedAt: r?.endedAt ?? new Date(run.started).toISOString(),
      durationMs: r?.durationMs ?? 0,
      risky: risk?.class === 'risky',
      riskyFiles,
      riskyDiff: riskyDiff || undefined,
      answers: s.notes.answers,
      feedback: s.notes.feedback,
      commit: run.commits[s.name],
    };
  });
  // A lane ran in this `nx` command when its marker names the command integrate runs under;
  // otherwise Nx restored it from a cache (local or remote) made by an earlier run.
  const ranNow = new Set(states.filter((s) => s.result && s.ranIn !== undefined && s.ranIn === run.invocation).map((s) => s.name));
  for (const lane of lanes) lane.fromCache = !ranNow.has(lane.name) && states.some((s) => s.name === lane.name && s.result);
  const ran = lanes.filter((l) => !l.fromCache && l.durationMs > 0);
  // A lane that ran in this command added one attempt, its last.
  const ranAttempts = lanes.filter((l) => ranNow.has(l.name)).flatMap((l) => l.attempts?.slice(-1) ?? []);
  const runStart = ran.length ? Math.min(run.started, ...ran.map((l) => Date.parse(l.startedAt))) : run.started;
  const outcome: IntegrationOutcome = run.notReady?.length
    ? 'lanes-not-ready'
    : run.conflict
      ? 'conflict'
      : run.test && !run.test.passed
        ? 'integration-test-failed'
        : 'green';
  const report: Omit<ReviewReport, 'nextSteps'> = {
    feature: { name: feature.name, goal: feature.goal, file: feature.file },
    outcome,
    branch: run.branch,
    branchCommit: run.branchCommit,
    baseCommit: run.baseCommit,
    generatedAt: input.generatedAt,
    wallClockMs: Math.max(0, ended - runStart),
    laneTimeSumMs: ran.reduce((sum, l) => sum + l.durationMs, 0),
    lanes,
    integration: {
      test: feature.integration.test,
      passed: run.test?.passed,
      exitCode: run.test?.exitCode ?? undefined,
      outputTail: run.test?.outputTail,
      durationMs: run.test?.durationMs,
      conflict: run.conflict,
    },
    notReady: run.notReady,
    totals: {
      costUsd: roundUsd(lanes.reduce((sum, l) => sum + l.costUsd, 0)),
      tokens: lanes.reduce((t, l) => addUsage(t, l.tokens), createZeroUsage()),
      turns: lanes.reduce((sum, l) => sum + l.turns, 0),
      attempts: lanes.reduce((sum, l) => sum + (l.attempts?.length ?? 0), 0),
      unknownAttempts: lanes.reduce((sum, l) => sum + (l.unknownAttempts ?? 0), 0),
    },
    thisRun: {
      costUsd: roundUsd(ranAttempts.reduce((sum, a) => sum + a.costUsd, 0)),
      lanesRan: ranNow.size,
      lanesFromCache: lanes.filter((l) => l.fromCache).length,
      unknownAttempts: ranAttempts.filter((a) => !isAttemptUsageKnown(a)).length,
    },
  };
  return { ...report, nextSteps: planNextSteps(report) };
}

