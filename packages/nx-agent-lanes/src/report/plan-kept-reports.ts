import type { ReportRun, ReviewReport } from './review-report';

/**
 * Which report each integrate run leaves where. Every run gets its own report under
 * integration/runs/<run id>/. The top-level report is the last run that changed something: a
 * no-op run (every lane from cache, the same outcome, base and lanes as the top-level report)
 * keeps it and only adds itself to its history, so a rerun never hides the run that did the work.
 */
export interface KeptReports {
  /** The run's own report, its history ending with it. */
  run: ReviewReport;
  /** What the top-level report.md, report.html and result.json hold after the run. */
  top: ReviewReport;
  noop: boolean;
}

export function planKeptReports(input: { report: ReviewReport; runId: string; previousTop?: ReviewReport }): KeptReports {
  const { report, runId, previousTop } = input;
  const noop = isNoopRun(report, previousTop);
  const history = [...(previousTop?.history ?? []), summarizeRun(report, runId, noop)];
  const run: ReviewReport = { ...report, runId, history };
  return { run, top: noop && previousTop ? { ...previousTop, history } : run, noop };
}

/** Every lane from cache, and nothing a reviewer would read differently from the report before. */
export function isNoopRun(report: ReviewReport, previousTop: ReviewReport | undefined): boolean {
  if (!previousTop || report.lanes.length === 0 || report.lanes.some((l) => !l.fromCache)) return false;
  return fingerprint(report) === fingerprint(previousTop);
}

export function summarizeRun(report: ReviewReport, runId: string, noop: boolean): ReportRun {
  return {
    runId,
    generatedAt: report.generatedAt,
    outcome: report.outcome,
    noop,
    lanesRan: report.thisRun?.lanesRan ?? report.lanes.filter((l) => !l.fromCache).length,
    lanesFromCache: report.thisRun?.lanesFromCache ?? report.lanes.filter((l) => l.fromCache).length,
    spentUsd: report.thisRun?.costUsd ?? 0,
    unknownAttempts: report.thisRun?.unknownAttempts ?? 0,
    totalUsd: report.totals.costUsd,
  };
}

/**
 * What makes two runs' reports say the same thing. Commit ids are left out: the merge commits of
 * two runs of the same lanes on the same base differ only in their dates.
 */
function fingerprint(report: ReviewReport): string {
  return JSON.stringify({
    outcome: report.outcome,
    base: report.baseCommit,
    branch: report.branch,
    integration: [report.integration.passed ?? null, report.integration.conflict?.lane ?? null],
    notReady: (report.notReady ?? []).map((n) => [n.lane, n.why]),
    lanes: report.lanes.map((l) => [
      l.name,
      l.status,
      l.attempts?.length ?? 0,
      l.costUsd,
      l.tests.passed,
      l.files.map((f) => `${f.status}:${f.path}`),
    ]),
  });
}
