import { existsSync } from 'node:fs';
import {
  integrationArtifactFiles,
  integrationRunFiles,
  readIntegrationResult,
  writeIntegrationArtifacts,
  type IntegrationArtifactFiles,
} from '../layout';
import { planKeptReports } from '../report/plan-kept-reports';
import { renderReportHtml } from '../report/render-report-html';
import { renderReportMarkdown } from '../report/render-report-markdown';
import type { ReviewReport } from '../report/review-report';

export interface WrittenReviewReports {
  /** The run's own report, with the history of runs up to it. */
  report: ReviewReport;
  /** The top-level report.md, report.html and result.json. */
  files: IntegrationArtifactFiles;
  /** The run's folder under integration/runs/. */
  runFiles: IntegrationArtifactFiles;
  noop: boolean;
}

/**
 * Writes the run's report into its own folder, then the top-level report: this run's, or, for a
 * no-op run, the kept one with this run added to its history. `redact` is applied to every text
 * as written.
 */
export function writeReviewReports(options: {
  workspaceRoot: string;
  feature: string;
  report: ReviewReport;
  /** When the run ended: names its folder. */
  at: number;
  redact: (text: string) => string;
}): WrittenReviewReports {
  const { workspaceRoot, feature, report, redact } = options;
  const files = integrationArtifactFiles(workspaceRoot, feature);
  const runId = newRunId(workspaceRoot, feature, options.at);
  const runFiles = integrationRunFiles(workspaceRoot, feature, runId);
  const previousTop = readIntegrationResult<ReviewReport>(files);
  const kept = planKeptReports({ report, runId, previousTop: previousTop && typeof previousTop === 'object' ? previousTop : undefined });
  writeIntegrationArtifacts(runFiles, render(kept.run, (id) => `../${id}/report.html`), redact);
  writeIntegrationArtifacts(files, render(kept.top, (id) => `runs/${id}/report.html`), redact);
  return { report: kept.run, files, runFiles, noop: kept.noop };
}

function render(report: ReviewReport, runHref: (runId: string) => string) {
  return { report, markdown: renderReportMarkdown(report), html: renderReportHtml(report, { runHref }) };
}

/** `2026-12-01T10-20-30-123Z`: sorts by time, safe in any file system; suffixed if two runs share a millisecond. */
function newRunId(workspaceRoot: string, feature: string, at: number): string {
  const base = new Date(at).toISOString().replace(/[:.]/g, '-');
  let id = base;
  for (let n = 2; existsSync(integrationRunFiles(workspaceRoot, feature, id).dir); n++) id = `${base}-${n}`;
  return id;
}
