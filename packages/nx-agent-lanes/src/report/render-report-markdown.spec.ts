import { renderReportMarkdown } from './render-report-markdown';
import type { ReviewReport } from './review-report';
import { sampleReviewReport } from './sample-report';

/** Splits a table row on unescaped pipes, as GitHub does. */
function cells(row: string): string[] {
  return row.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
}

function tableRows(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`## ${heading}\n`);
  return markdown.slice(start).split('\n').filter((l) => l.startsWith('|'));
}

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`## ${heading}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end === -1 ? undefined : end);
}

describe('renderReportMarkdown', () => {
  const markdown = renderReportMarkdown(sampleReviewReport());

  it('titles the report with the feature and a plain status word, then the goal', () => {
    expect(markdown.startsWith('# export-feature: GREEN\n\n> Customers download orders, invoices and activity as CSV\n')).toBe(true);
    const red = renderReportMarkdown({ ...sampleReviewReport(), outcome: 'conflict' });
    expect(red.split('\n')[0]).toBe('# export-feature: RED: conflict');
  });

  it('has one table row per lane, with every column filled', () => {
    const rows = tableRows(markdown, 'Lanes');
    expect(rows).toHaveLength(2 + 4);
    expect(cells(rows[0])).toEqual(['Lane', 'Status', 'Files', 'Tests', 'Attempts', 'Turns', 'Tokens', 'Cost', 'Time', 'Review']);
    expect(cells(rows[2])).toEqual(['backend', 'done', '2', 'passed', '1', '14', '247.6k', '$0.35', '52s', 'trust the suite']);
    expect(cells(rows[3])).toEqual(['export-logic', 'done', '3', 'passed', '2', '17', '311.4k', '$0.43', '1m 01s', 'trust the suite']);
    expect(cells(rows[4])).toEqual(['[frontend](#frontend)', 'done', '3', 'passed', '1', '19', '337.6k', '$0.49', '48s', '**review the diff**']);
    for (const row of rows) expect(cells(row)).toHaveLength(10);
  });

  it('lists every attempt of each lane, and a total that sums them all', () => {
    const attempts = section(markdown, 'Attempts');
    expect(attempts).toContain('- **export-logic**\n  1. first run: blocked, 5 turns, 86k tokens, $0.12, 21s\n  2. after an answer: done, 12 turns, 225.4k tokens, $0.31, 1m 01s');
    expect(markdown).toContain('In all, every paid request of the feature: $1.41, 972.4k tokens, 56 turns over 5 attempts. This run: $1.29 (4 lanes ran, 0 from cache).');
  });

  it('says "unknown", not 0, for figures no agent reported', () => {
    const report = sampleReviewReport();
    const docs = report.lanes.find((l) => l.name === 'docs')!;
    docs.attempts = docs.attempts!.map((a) => ({ ...a, usageSource: 'none', turns: 0, costUsd: 0, tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } }));
    docs.unknownAttempts = 1;
    report.totals.unknownAttempts = 1;
    const rendered = renderReportMarkdown(report);
    const row = cells(tableRows(rendered, 'Lanes').find((r) => r.startsWith('| docs'))!);
    expect(row.slice(5, 8)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(rendered).toMatch(/In all, every paid request of the feature: \$[\d.]+ \+ unknown, /);
    expect(section(rendered, 'Attempts')).toContain('- **docs**\n  1. first run: done, turns, tokens and cost unknown (the agent reported none)');
  });

  it('keeps the report of the run that did the work, one line per no-op rerun after it', () => {
    expect(section(markdown, 'Reruns since').trim()).toBe('## Reruns since\n\n- 2025-06-03T10:02:00.000Z: no-op rerun, all 4 lanes from cache, $0');
    const own = { ...sampleReviewReport(), runId: '2025-06-03T10-02-00-000Z' };
    expect(renderReportMarkdown(own)).not.toContain('## Reruns since');
  });

  it('states the measured speed-up: lane time over wall clock', () => {
    expect(markdown).toContain('4 lanes took 3m 10s of agent time in 1m 05s of wall-clock: 2.9x.');
    const report: ReviewReport = { ...sampleReviewReport(), laneTimeSumMs: 90_000, wallClockMs: 30_000 };
    expect(renderReportMarkdown(report)).toContain('took 1m 30s of agent time in 30s of wall-clock: 3.0x');
  });

  it('draws a text timeline whose bars are as long as the lanes ran, on the wall-clock scale', () => {
    const timeline = section(markdown, 'Timeline');
    const bars = Object.fromEntries(
      [...timeline.matchAll(/^(\S+)\s+([·█▓]+)/gm)].map((m) => [m[1], { start: m[2].indexOf(m[2].match(/[█▓]/)![0]), length: (m[2].match(/[█▓]/g) ?? []).length }]),
    );
    // 48 characters for 65 s: export-logic ran 61 s from 0:01, docs 29 s from 0:03.
    expect(bars['export-logic']).toEqual({ start: 1, length: Math.round((62 / 65) * 48) - 1 });
    expect(bars.docs).toEqual({ start: 2, length: Math.round((32 / 65) * 48) - 2 });
    expect(bars.backend.start).toBe(0);
    expect(timeline).toContain('0:01 → 1:02  done');
  });

  it('records blockers with their answers', () => {
    expect(section(markdown, 'Blockers and answers')).toContain(
      `- **export-logic** asked: "Should timestamps in the CSV be in UTC or in the customer's local time zone?"\n  Answered: "UTC, with an explicit column header"`,
    );
  });

  it('shows the risky files in full, each in its own diff fence', () => {
    const review = section(markdown, 'Review these');
    expect(review).toContain('### frontend');
    expect(review).toContain('#### `apps/web/src/export/use-csv-download.ts`\n\n```diff\ndiff --git a/apps/web/src/export/use-csv-download.ts');
    const fences = [...review.matchAll(/^```diff\n([\s\S]*?)\n```$/gm)].map((m) => m[1]);
    expect(fences).toHaveLength(2);
    expect(fences[0].split('\n')).toContain('+      URL.revokeObjectURL(url);');
    expect(fences[1].startsWith('diff --git a/apps/web/src/export/export-menu.tsx')).toBe(true);
    expect(review).toContain('Also changed, covered by tests: `apps/web/src/export/export-menu.spec.tsx`.');
  });

  it('summarises the other lanes in one line each, without diffs', () => {
    const trusted = section(markdown, 'Trust the suite');
    expect(trusted).toContain('- **backend**: tests green, 2 files, trust the suite.');
    expect(trusted).toContain('- **export-logic**: tests green, 3 files, trust the suite.');
    expect(trusted).toContain('- **docs**: tests green, 1 file, trust the suite.');
    expect(trusted).not.toContain('frontend');
    expect(markdown).not.toContain('diff --git a/apps/api');
    expect(markdown).not.toContain('diff --git a/libs/export');
  });

  it('reports the integration test and the next steps', () => {
    expect(section(markdown, 'Integration test')).toContain('`npx jest e2e/export.e2e.spec.ts` passed in 3.6s on the merged tree.');
    expect(section(markdown, 'Next steps')).toMatch(/^1\. Review the risky diffs in this report \(lane frontend\), then merge branch lanes\/export-feature \(`git merge lanes\/export-feature` or open a PR from it\)\.$/m);
  });

  it('puts a red integration test tail in a fence, and the conflict in a table', () => {
    const report = sampleReviewReport();
    report.outcome = 'integration-test-failed';
    report.integration = { test: 'npm run e2e', passed: false, exitCode: 1, outputTail: 'FAIL e2e/export\n  Expected: "created_at (UTC)"' };
    expect(section(renderReportMarkdown(report), 'Integration test')).toContain(
      '`npm run e2e` failed (exit 1) on the merged tree.\n\n```text\nFAIL e2e/export\n  Expected: "created_at (UTC)"\n```',
    );
    report.outcome = 'conflict';
    report.integration = { conflict: { lane: 'frontend', files: ['libs/a|b.ts'], touchedBy: { 'libs/a|b.ts': ['export-logic', 'frontend'] } } };
    const conflict = section(renderReportMarkdown(report), 'Conflict');
    expect(conflict).toContain("Lane **frontend**'s change did not apply");
    const rows = conflict.split('\n').filter((l) => l.startsWith('|'));
    expect(cells(rows[2])).toEqual(['`libs/a\\|b.ts`', 'export-logic, frontend']);
  });

  it('escapes agent text: no raw HTML, no broken table, no fence closed early', () => {
    const report = sampleReviewReport();
    const frontend = report.lanes[2];
    frontend.summary = 'Wraps <script>alert(1)</script> & *friends*';
    frontend.name = 'front|end';
    frontend.riskyDiff = `${frontend.riskyDiff}diff --git a/docs/a.md b/docs/a.md\n--- a/docs/a.md\n+++ b/docs/a.md\n@@ -1 +1 @@\n-old\n+\`\`\`\`js\n`;
    const md = renderReportMarkdown(report);
    expect(md).not.toContain('<script>');
    expect(md).toContain('> Wraps \\<script\\>alert(1)\\</script\\> \\& \\*friends\\*');
    const row = tableRows(md, 'Lanes')[4];
    expect(cells(row)[0]).toBe('[front\\|end](#frontend)');
    expect(cells(row)).toHaveLength(10);
    // The diff holds a run of four backticks, so its fence must be five long.
    expect(md).toContain('`````diff\ndiff --git a/docs/a.md');
  });
});
