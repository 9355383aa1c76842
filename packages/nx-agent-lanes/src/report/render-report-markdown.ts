/**
 * Pure: the review report as GitHub-flavoured markdown, fit to paste as a pull-request body.
 * Risky files get full diffs; every other lane gets one line, because its tests cover it.
 */
import {
  describeAttempt,
  describeLaneTests,
  describeLaneVerdict,
  describeNoopRun,
  describeOutcome,
  describeRunSpend,
  describeSpeedup,
  describeSpend,
  describeTrustedLane,
  isLaneGreen,
} from './describe-run';
import { escapeInline, escapeMarkdown, escapeTableCell, renderCodeSpan, renderFence, renderInlineMarkdown } from './escape-markdown';
import { formatClock, formatDuration } from './format-figures';
import { planTimeline } from './plan-timeline';
import type { LaneReport, ReviewReport } from './review-report';
import { splitDiff } from './split-diff';

/** Characters across the text timeline: fits a pull-request page without wrapping. */
const TIMELINE_WIDTH = 48;

export function renderReportMarkdown(report: ReviewReport): string {
  const sections = [
    renderHeader(report),
    renderReruns(report),
    renderLanesTable(report),
    renderAttempts(report),
    renderTimeline(report),
    renderBlockers(report),
    renderFeedback(report),
    renderProblems(report),
    renderReviewThese(report),
    renderTrustTheSuite(report),
    renderIntegration(report),
    renderConflict(report),
    renderNextSteps(report),
  ];
  return `${sections.filter((s) => s !== '').join('\n\n')}\n`;
}

function renderHeader(report: ReviewReport): string {
  const branch = report.branchCommit
    ? `${renderCodeSpan(report.branch)} at ${renderCodeSpan(short(report.branchCommit))}`
    : `${renderCodeSpan(report.branch)} (not moved)`;
  const t = describeSpend({ ...report.totals, attempts: report.totals.attempts });
  const attempts = report.totals.attempts === undefined ? '' : ` over ${report.totals.attempts} attempt${report.totals.attempts === 1 ? '' : 's'}`;
  const thisRun = report.thisRun ? ` This run: ${describeRunSpend({ ...report.thisRun, spentUsd: report.thisRun.costUsd })}.` : '';
  return [
    `# ${escapeInline(report.feature.name)}: ${describeOutcome(report.outcome)}`,
    `> ${escapeInline(report.feature.goal)}`,
    `Branch ${branch}, base ${renderCodeSpan(short(report.baseCommit))}; plan ${renderCodeSpan(report.feature.file)}; ` +
      `generated ${escapeInline(report.generatedAt)}.`,
    `${describeSpeedup(report)}. In all, every paid request of the feature: ${t.cost}, ${t.tokens} tokens, ${t.turns} turns${attempts}.${thisRun}`,
  ].join('\n\n');
}

function renderLanesTable(report: ReviewReport): string {
  const head = ['Lane', 'Status', 'Files', 'Tests', 'Attempts', 'Turns', 'Tokens', 'Cost', 'Time', 'Review'];
  const rows = report.lanes.map((lane) => {
    const spend = describeSpend(lane);
    return [
      lane.risky ? `[${escapeInline(lane.name)}](#${anchor(lane.name)})` : escapeInline(lane.name),
      lane.fromCache ? `${lane.status} (cache)` : lane.status,
      String(lane.files.length),
      describeLaneTests(lane),
      String(lane.attempts?.length ?? 0),
      spend.turns,
      spend.tokens,
      spend.cost,
      formatDuration(lane.durationMs),
      lane.risky && isLaneGreen(lane) ? '**review the diff**' : describeLaneVerdict(lane),
    ];
  });
  const line = (cells: string[]) => `| ${cells.map(escapeTableCell).join(' | ')} |`;
  return ['## Lanes', '', line(head), '| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |', ...rows.map(line)].join('\n');
}

/** Each lane's attempts, oldest first: what every paid run of it did and cost. */
function renderAttempts(report: ReviewReport): string {
  const lanes = report.lanes.filter((l) => l.attempts?.length);
  if (!lanes.length) return '';
  const items = lanes.map((lane) => {
    const attempts = lane.attempts ?? [];
    return `- **${escapeInline(lane.name)}**\n${attempts.map((a, i) => `  ${escapeInline(describeAttempt(a, i))}`).join('\n')}`;
  });
  return `## Attempts\n\n${items.join('\n')}`;
}

/** The no-op runs after this report's own: each one line, so the report of the run that did the work stays. */
function renderReruns(report: ReviewReport): string {
  const history = report.history ?? [];
  const own = history.findIndex((r) => r.runId === report.runId);
  const later = history.slice(own + 1).filter((r) => r.noop);
  if (own < 0 || !later.length) return '';
  return `## Reruns since\n\n${later.map((r) => `- ${escapeInline(describeNoopRun(r))}`).join('\n')}`;
}

function renderTimeline(report: ReviewReport): string {
  const timeline = planTimeline(report);
  const names = [...report.lanes.map((l) => l.name), timeline.integration ? 'integrate' : ''];
  const labelWidth = Math.max(...names.map((n) => n.length));
  const bar = (from: number, to: number, mark: string) => {
    const a = Math.min(TIMELINE_WIDTH - 1, Math.round(from * TIMELINE_WIDTH));
    const b = Math.max(a + 1, Math.round(to * TIMELINE_WIDTH));
    return '·'.repeat(a) + mark.repeat(b - a) + '·'.repeat(TIMELINE_WIDTH - b);
  };
  const lines = timeline.rows.map((row) => {
    const when = row.cached ? 'from cache' : `${formatClock(row.startMs)} → ${formatClock(row.endMs)}`;
    return `${row.lane.padEnd(labelWidth)}  ${bar(row.startFraction, row.endFraction, row.cached ? '░' : '█')}  ${when}  ${row.status}`;
  });
  if (timeline.integration) {
    const i = timeline.integration;
    lines.push(`${'integrate'.padEnd(labelWidth)}  ${bar(i.startFraction, i.endFraction, '▓')}  ${formatDuration(i.durationMs)}`);
  }
  const end = formatClock(timeline.windowMs);
  lines.push(`${' '.repeat(labelWidth)}  0:00${end.padStart(TIMELINE_WIDTH - 4)}`);
  return `## Timeline\n\n${renderFence(lines.join('\n'), 'text')}`;
}

function renderBlockers(report: ReviewReport): string {
  const items: string[] = [];
  for (const lane of report.lanes) {
    for (const a of lane.answers) {
      items.push(`- **${escapeInline(lane.name)}** asked: ${quote(a.question)}\n  Answered: ${quote(a.answer)}`);
    }
    if (lane.status === 'blocked') {
      items.push(`- **${escapeInline(lane.name)}** asks: ${quote(lane.question ?? '(no question recorded)')}\n  Not answered yet.`);
    }
  }
  return items.length ? `## Blockers and answers\n\n${items.join('\n')}` : '';
}

function renderFeedback(report: ReviewReport): string {
  const items = report.lanes.flatMap((lane) => lane.feedback.map((f) => `- **${escapeInline(lane.name)}**: ${quote(f.message)}`));
  return items.length ? `## Feedback given\n\n${items.join('\n')}` : '';
}

/** Why each red lane is red, with the evidence (test output, paths outside its files). */
function renderProblems(report: ReviewReport): string {
  const parts = report.lanes.filter((l) => !isLaneGreen(l) && l.status !== 'blocked').map((lane) => {
    const lines = [`### ${escapeInline(lane.name)}: ${describeLaneVerdict(lane)}`];
    if (lane.reason) lines.push('', escapeInline(lane.reason));
    for (const v of lane.ownership.violations) lines.push('', `- ${renderCodeSpan(v.path)}: ${escapeInline(v.message)}`);
    if (lane.status === 'done' && !lane.tests.passed) {
      lines.push('', `${renderCodeSpan(lane.tests.command)} ${describeLaneTests(lane)}`);
      if (lane.tests.outputTail) lines.push('', renderFence(lane.tests.outputTail, 'text'));
    }
    return lines.join('\n');
  });
  return parts.length ? `## Red lanes\n\n${parts.join('\n\n')}` : '';
}

function renderReviewThese(report: ReviewReport): string {
  const risky = report.lanes.filter((l) => l.risky);
  if (!risky.length) return '## Review these\n\nNo file matched `review.risky`: nothing needs a human read.';
  return `## Review these\n\n${risky.map(renderRiskyLane).join('\n\n')}`;
}

function renderRiskyLane(lane: LaneReport): string {
  const lines = [`### ${escapeInline(lane.name)}`, ''];
  lines.push(`${lane.riskyFiles.length} of ${lane.files.length} files are risky; tests ${describeLaneTests(lane)}.`);
  if (lane.summary) lines.push('', renderQuoteBlock(lane.summary));
  const diffs = lane.riskyDiff ? splitDiff(lane.riskyDiff) : [];
  if (!diffs.length) lines.push('', `No diff was recorded for ${lane.riskyFiles.map(renderCodeSpan).join(', ') || 'this lane'}.`);
  for (const diff of diffs) lines.push('', `#### ${renderCodeSpan(diff.path)}`, '', renderFence(diff.text, 'diff'));
  const others = lane.files.filter((f) => !lane.riskyFiles.includes(f.path));
  if (others.length) lines.push('', `Also changed, covered by tests: ${others.map((f) => renderCodeSpan(f.path)).join(', ')}.`);
  return lines.join('\n');
}

function renderTrustTheSuite(report: ReviewReport): string {
  const trusted = report.lanes.filter((l) => !l.risky);
  if (!trusted.length) return '';
  const items = trusted.map((lane) => {
    const summary = lane.summary ? ` ${escapeInline(lane.summary)}` : '';
    return `- **${escapeInline(lane.name)}**: ${describeTrustedLane(lane)}.${summary}`;
  });
  return `## Trust the suite\n\n${items.join('\n')}`;
}

function renderIntegration(report: ReviewReport): string {
  const i = report.integration;
  if (!i.test) return '';
  const ran = i.passed !== undefined;
  const time = i.durationMs === undefined ? '' : ` in ${formatDuration(i.durationMs)}`;
  const verdict = !ran ? 'did not run' : i.passed ? `passed${time}` : `failed${i.exitCode === undefined ? '' : ` (exit ${i.exitCode})`}${time}`;
  const lines = [`## Integration test`, '', `${renderCodeSpan(i.test)} ${verdict} on the merged tree.`];
  if (ran && !i.passed && i.outputTail) lines.push('', renderFence(i.outputTail, 'text'));
  return lines.join('\n');
}

function renderConflict(report: ReviewReport): string {
  const c = report.integration.conflict;
  if (!c) return '';
  const rows = c.files.map((file) => `| ${escapeTableCell(renderCodeSpan(file))} | ${escapeTableCell(escapeInline((c.touchedBy[file] ?? [c.lane]).join(', ')))} |`);
  return [
    '## Conflict',
    '',
    `Lane **${escapeInline(c.lane)}**'s change did not apply on top of the lanes merged before it.`,
    '',
    '| File | Changed by |',
    '| --- | --- |',
    ...rows,
  ].join('\n');
}

function renderNextSteps(report: ReviewReport): string {
  if (!report.nextSteps.length) return '';
  return `## Next steps\n\n${report.nextSteps.map((s, i) => `${i + 1}. ${renderInlineMarkdown(s)}`).join('\n')}`;
}

/** The heading id GitHub gives `### <lane>`, so the table can link to the lane's diffs. */
function anchor(name: string): string {
  return name.toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
}

function quote(text: string): string {
  return `"${escapeInline(text)}"`;
}

function renderQuoteBlock(text: string): string {
  return text.trim().split('\n').map((line) => `> ${escapeMarkdown(line)}`.trimEnd()).join('\n');
}

function short(sha: string): string {
  return sha.slice(0, 7);
}
