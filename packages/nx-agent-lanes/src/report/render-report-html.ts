/**
 * Pure: the review report as one self-contained HTML page (inline CSS, no scripts, fonts or
 * external assets), with the same content as the markdown. Stable hooks for tests and
 * tooling: #lanes-table, #timeline, .timeline-bar[data-lane], #risky-diffs, .diff[data-file],
 * #attempts [data-lane], #runs-table tr[data-run].
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
import { escapeHtml, renderInlineHtml } from './escape-html';
import { computeSpeedup, describeTokens, formatCost, formatDuration, formatSpeedup } from './format-figures';
import { renderDiffHtml } from './render-diff-html';
import { renderTimelineHtml } from './render-timeline-html';
import { REPORT_HTML_STYLE } from './report-html-style';
import type { LaneReport, ReportRun, ReviewReport } from './review-report';
import { splitDiff } from './split-diff';

export interface RenderReportHtmlOptions {
  /** Where another run's report.html is, from this page: `runs/<id>/report.html` from the top-level report. */
  runHref?: (runId: string) => string;
}

export function renderReportHtml(report: ReviewReport, options: RenderReportHtmlOptions = {}): string {
  const status = describeOutcome(report.outcome);
  const body = [
    renderBanner(report),
    '<main>',
    renderFigures(report),
    renderNextSteps(report),
    section('lanes', 'Lanes', renderLanesTable(report)),
    renderAttempts(report),
    section('timeline-section', 'Timeline', renderTimelineHtml(report)),
    renderBlockers(report),
    renderFeedback(report),
    renderRedLanes(report),
    section('review', 'Review these', renderRiskyDiffs(report)),
    renderTrusted(report),
    renderIntegration(report),
    renderConflict(report),
    renderRuns(report, options.runHref ?? ((id) => `runs/${id}/report.html`)),
    `<footer>nx-agent-lanes review report for ${escapeHtml(report.feature.name)}, generated ${escapeHtml(report.generatedAt)}.</footer>`,
    '</main>',
  ];
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(`${report.feature.name}: ${status}`)}</title>`,
    `<style>${REPORT_HTML_STYLE}</style>`,
    '</head>',
    `<body>${body.filter((part) => part !== '').join('\n')}</body>`,
    '</html>',
    '',
  ].join('\n');
}

function renderBanner(report: ReviewReport): string {
  const green = report.outcome === 'green';
  const branch = report.branchCommit
    ? `<code>${escapeHtml(report.branch)}</code> at <code>${escapeHtml(short(report.branchCommit))}</code>`
    : `<code>${escapeHtml(report.branch)}</code> (not moved)`;
  return (
    `<header id="status" class="banner outcome-${green ? 'green' : 'red'}"><div class="banner-inner">` +
    `<span class="status">${escapeHtml(describeOutcome(report.outcome))}</span>` +
    `<h1>${escapeHtml(report.feature.name)}</h1>` +
    `<p class="goal">${escapeHtml(report.feature.goal)}</p>` +
    `<p class="meta">Branch ${branch} · base <code>${escapeHtml(short(report.baseCommit))}</code> · ` +
    `plan <code>${escapeHtml(report.feature.file)}</code> · generated ${escapeHtml(report.generatedAt)}</p>` +
    `</div></header>`
  );
}

function renderFigures(report: ReviewReport): string {
  const speedup = computeSpeedup(report);
  const totals = describeSpend({ ...report.totals });
  const figure = (value: string, label: string, title = '') =>
    `<div class="figure"${title ? ` title="${escapeHtml(title)}"` : ''}><div class="value">${escapeHtml(value)}</div><div class="label">${escapeHtml(label)}</div></div>`;
  return (
    `<section class="figures">` +
    figure(formatDuration(report.wallClockMs), 'wall-clock') +
    figure(formatDuration(report.laneTimeSumMs), 'agent time, all lanes') +
    figure(speedup === undefined ? '–' : formatSpeedup(speedup), 'speed-up') +
    figure(totals.cost, 'cost, every attempt') +
    figure(totals.tokens, 'tokens', describeTokens(report.totals.tokens)) +
    figure(totals.turns, 'turns') +
    (report.totals.attempts === undefined ? '' : figure(String(report.totals.attempts), 'attempts')) +
    `</section><p class="speedup">${escapeHtml(describeSpeedup(report))}.</p>`
  );
}

function renderNextSteps(report: ReviewReport): string {
  if (!report.nextSteps.length) return '';
  const items = report.nextSteps.map((s) => `<li>${renderInlineHtml(s)}</li>`).join('');
  const tone = report.outcome === 'green' ? 'outcome-green' : 'outcome-red';
  return `<section id="next-steps" class="next-steps ${tone}"><h2>Next steps</h2><ol>${items}</ol></section>`;
}

function renderLanesTable(report: ReviewReport): string {
  const head = ['Lane', 'Status', 'Files', 'Tests', 'Attempts', 'Turns', 'Tokens', 'Cost', 'Time', 'Review'];
  const numeric = new Set(['Files', 'Attempts', 'Turns', 'Tokens', 'Cost', 'Time']);
  const th = head.map((h) => `<th${numeric.has(h) ? ' class="num"' : ''}>${h}</th>`).join('');
  const rows = report.lanes.map((lane) => {
    const name = lane.risky ? `<a href="#${laneId(lane.name)}">${escapeHtml(lane.name)}</a>` : escapeHtml(lane.name);
    const verdict = describeLaneVerdict(lane);
    const verdictClass = !isLaneGreen(lane) ? 'bad' : lane.risky ? 'review' : 'trust';
    const spend = describeSpend(lane);
    const cells = [
      name,
      `<span class="pill status-${lane.status}">${escapeHtml(lane.status)}</span>${lane.fromCache ? ' <span class="muted">cache</span>' : ''}`,
      `<td class="num">${lane.files.length}</td>`,
      `<span class="pill ${lane.tests.passed ? 'good' : 'bad'}">${escapeHtml(describeLaneTests(lane))}</span>`,
      `<td class="num">${lane.attempts?.length ?? 0}</td>`,
      `<td class="num">${escapeHtml(spend.turns)}</td>`,
      `<td class="num" title="${escapeHtml(describeTokens(lane.tokens))}">${escapeHtml(spend.tokens)}</td>`,
      `<td class="num cost">${escapeHtml(spend.cost)}</td>`,
      `<td class="num">${escapeHtml(formatDuration(lane.durationMs))}</td>`,
      `<span class="pill ${verdictClass}">${escapeHtml(verdict)}</span>`,
    ].map((c) => (c.startsWith('<td') ? c : `<td>${c}</td>`));
    return `<tr class="${lane.risky ? 'risky' : 'trusted'}" data-lane="${escapeHtml(lane.name)}">${cells.join('')}</tr>`;
  });
  return `<table id="lanes-table" class="lanes"><thead><tr>${th}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function renderAttempts(report: ReviewReport): string {
  const lanes = report.lanes.filter((l) => l.attempts?.length);
  if (!lanes.length) return '';
  const items = lanes.map((lane) => {
    const attempts = (lane.attempts ?? []).map((a, i) => `<li data-outcome="${escapeHtml(a.outcome)}">${escapeHtml(describeAttempt(a, i).replace(/^\d+\. /, ''))}</li>`);
    return `<li data-lane="${escapeHtml(lane.name)}"><strong>${escapeHtml(lane.name)}</strong><ol>${attempts.join('')}</ol></li>`;
  });
  return section('attempts', 'Attempts', `<ul class="item-list">${items.join('')}</ul>`);
}

/** Every integrate run of the feature, newest first, this report's marked: outcome, what it spent, where its report is. */
function renderRuns(report: ReviewReport, runHref: (runId: string) => string): string {
  const history = report.history ?? [];
  if (!history.length) return '';
  const row = (run: ReportRun) => {
    const current = run.runId === report.runId;
    const what = run.noop ? describeNoopRun(run).replace(/^[^ ]+: /, '') : describeRunSpend(run);
    return (
      `<tr data-run="${escapeHtml(run.runId)}" data-outcome="${escapeHtml(run.outcome)}"${current ? ' class="current"' : ''}>` +
      `<td><a href="${escapeHtml(runHref(run.runId))}">${escapeHtml(run.generatedAt)}</a>${current ? ' <span class="muted">this report</span>' : ''}</td>` +
      `<td><span class="pill ${run.outcome === 'green' ? 'good' : 'bad'}">${escapeHtml(describeOutcome(run.outcome))}</span></td>` +
      `<td>${escapeHtml(what)}</td>` +
      `<td class="num">${escapeHtml(formatCost(run.totalUsd))}</td></tr>`
    );
  };
  return section(
    'runs',
    'Runs',
    `<table id="runs-table" class="lanes"><thead><tr><th>Run</th><th>Outcome</th><th>Spent</th><th class="num">Feature total</th></tr></thead>` +
      `<tbody>${[...history].reverse().map(row).join('')}</tbody></table>`,
  );
}

function renderBlockers(report: ReviewReport): string {
  const items: string[] = [];
  for (const lane of report.lanes) {
    for (const a of lane.answers) {
      items.push(`<li><strong>${escapeHtml(lane.name)}</strong> asked: “${escapeHtml(a.question)}”<br>Answered: “${escapeHtml(a.answer)}”</li>`);
    }
    if (lane.status === 'blocked') {
      items.push(`<li><strong>${escapeHtml(lane.name)}</strong> asks: “${escapeHtml(lane.question ?? '(no question recorded)')}”<br><span class="verdict-bad">Not answered yet.</span></li>`);
    }
  }
  return items.length ? section('blockers', 'Blockers and answers', `<ul class="item-list">${items.join('')}</ul>`) : '';
}

function renderFeedback(report: ReviewReport): string {
  const items = report.lanes.flatMap((lane) =>
    lane.feedback.map((f) => `<li><strong>${escapeHtml(lane.name)}</strong>: “${escapeHtml(f.message)}”</li>`),
  );
  return items.length ? section('feedback', 'Feedback given', `<ul class="item-list">${items.join('')}</ul>`) : '';
}

function renderRedLanes(report: ReviewReport): string {
  const parts = report.lanes.filter((l) => !isLaneGreen(l) && l.status !== 'blocked').map((lane) => {
    const out = [`<h3>${escapeHtml(lane.name)} <span class="verdict-bad">${escapeHtml(describeLaneVerdict(lane))}</span></h3>`];
    if (lane.reason) out.push(`<p>${escapeHtml(lane.reason)}</p>`);
    if (lane.ownership.violations.length) {
      const items = lane.ownership.violations.map((v) => `<li><code>${escapeHtml(v.path)}</code>: ${escapeHtml(v.message)}</li>`);
      out.push(`<ul class="item-list">${items.join('')}</ul>`);
    }
    if (lane.status === 'done' && !lane.tests.passed) {
      out.push(`<p><code>${escapeHtml(lane.tests.command)}</code> ${escapeHtml(describeLaneTests(lane))}</p>`);
      if (lane.tests.outputTail) out.push(`<pre class="output">${escapeHtml(lane.tests.outputTail)}</pre>`);
    }
    return `<div class="lane-review" data-lane="${escapeHtml(lane.name)}">${out.join('')}</div>`;
  });
  return parts.length ? section('red-lanes', 'Red lanes', parts.join('')) : '';
}

function renderRiskyDiffs(report: ReviewReport): string {
  const risky = report.lanes.filter((l) => l.risky);
  const inner = risky.length
    ? risky.map(renderRiskyLane).join('')
    : '<p class="muted">No file matched <code>review.risky</code>: nothing needs a human read.</p>';
  return `<div id="risky-diffs">${inner}</div>`;
}

function renderRiskyLane(lane: LaneReport): string {
  const out = [
    `<h3>${escapeHtml(lane.name)} <span class="pill ${isLaneGreen(lane) ? 'review' : 'bad'}">${escapeHtml(describeLaneVerdict(lane))}</span></h3>`,
    `<p class="muted">${lane.riskyFiles.length} of ${lane.files.length} files are risky; tests ${escapeHtml(describeLaneTests(lane))}` +
      `${lane.commit ? `; commit <code>${escapeHtml(short(lane.commit))}</code>` : ''}.</p>`,
  ];
  if (lane.summary) out.push(`<blockquote>${escapeHtml(lane.summary)}</blockquote>`);
  const diffs = lane.riskyDiff ? splitDiff(lane.riskyDiff) : [];
  if (!diffs.length) out.push(`<p class="muted">No diff was recorded for this lane's risky files.</p>`);
  for (const diff of diffs) out.push(renderDiffHtml(diff));
  const others = lane.files.filter((f) => !lane.riskyFiles.includes(f.path));
  if (others.length) out.push(`<p class="muted">Also changed, covered by tests:</p>${renderFileList(others)}`);
  return `<div class="lane-review" id="${laneId(lane.name)}" data-lane="${escapeHtml(lane.name)}">${out.join('')}</div>`;
}

/** Trusted lanes fold away: the reviewer opens one only out of curiosity. */
function renderTrusted(report: ReviewReport): string {
  const trusted = report.lanes.filter((l) => !l.risky);
  if (!trusted.length) return '';
  const items = trusted.map((lane) => {
    const body = [
      lane.summary ? `<blockquote>${escapeHtml(lane.summary)}</blockquote>` : '',
      renderFileList(lane.files),
      `<p class="muted">Tests: <code>${escapeHtml(lane.tests.command)}</code> ${escapeHtml(describeLaneTests(lane))}` +
        `${lane.commit ? ` · commit <code>${escapeHtml(short(lane.commit))}</code>` : ''}</p>`,
    ];
    return (
      `<details class="lane-details" data-lane="${escapeHtml(lane.name)}"><summary><strong>${escapeHtml(lane.name)}</strong> ` +
      `<span class="muted">${escapeHtml(describeTrustedLane(lane))}</span></summary><div class="details-body">${body.join('')}</div></details>`
    );
  });
  return section('trusted-lanes', 'Trust the suite', items.join(''));
}

function renderIntegration(report: ReviewReport): string {
  const i = report.integration;
  if (!i.test) return '';
  const time = i.durationMs === undefined ? '' : ` in ${formatDuration(i.durationMs)}`;
  const verdict =
    i.passed === undefined
      ? '<span class="muted">did not run</span>'
      : i.passed
        ? `<span class="verdict-ok">passed${escapeHtml(time)}</span>`
        : `<span class="verdict-bad">failed${i.exitCode === undefined ? '' : ` (exit ${i.exitCode})`}${escapeHtml(time)}</span>`;
  const tail = i.passed === false && i.outputTail ? `<pre class="output">${escapeHtml(i.outputTail)}</pre>` : '';
  return section('integration', 'Integration test', `<p><code>${escapeHtml(i.test)}</code> ${verdict} on the merged tree.</p>${tail}`);
}

function renderConflict(report: ReviewReport): string {
  const c = report.integration.conflict;
  if (!c) return '';
  const rows = c.files.map(
    (file) => `<tr><td><code>${escapeHtml(file)}</code></td><td>${escapeHtml((c.touchedBy[file] ?? [c.lane]).join(', '))}</td></tr>`,
  );
  return section(
    'conflict',
    'Conflict',
    `<p>Lane <strong>${escapeHtml(c.lane)}</strong>'s change did not apply on top of the lanes merged before it.</p>` +
      `<table class="conflict"><thead><tr><th>File</th><th>Changed by</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
  );
}

function renderFileList(files: LaneReport['files']): string {
  const items = files.map((f) => {
    const from = f.from ? ` from ${escapeHtml(f.from)}` : '';
    return `<li>${escapeHtml(f.path)} <span class="file-status">${escapeHtml(f.status)}${from}</span></li>`;
  });
  return `<ul class="files">${items.join('')}</ul>`;
}

function section(id: string, title: string, inner: string): string {
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2>${inner}</section>`;
}

/** An id from a lane name: names are plain in practice, but the id must stay a valid fragment whatever they are. */
function laneId(name: string): string {
  return `lane-${name.replace(/[^A-Za-z0-9_-]/g, (ch) => `_${ch.codePointAt(0)?.toString(16)}`)}`;
}

function short(sha: string): string {
  return sha.slice(0, 7);
}
