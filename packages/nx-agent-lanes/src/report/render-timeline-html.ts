/**
 * Pure: the run's timeline as absolutely positioned divs, one row per lane, each bar from the
 * lane's start to its end on the wall-clock window. Divs rather than SVG so the bars are
 * ordinary elements a browser test can measure and a printer lays out like text.
 */
import { isLaneGreen } from './describe-run';
import { escapeHtml } from './escape-html';
import { formatClock, formatDuration } from './format-figures';
import { planTimeline } from './plan-timeline';
import type { ReviewReport } from './review-report';

/** Tick spacings a person reads at a glance, in seconds. */
const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];
const MAX_TICKS = 8;

export function renderTimelineHtml(report: ReviewReport): string {
  const timeline = planTimeline(report);
  const ticks = planTicks(timeline.windowMs);
  const grid = ticks.map((t) => `<i class="tick" style="left:${percent(t.fraction)}"></i>`).join('');
  const risky = new Set(report.lanes.filter((l) => l.risky).map((l) => l.name));
  // A lane whose agent finished but whose verify failed is as red as a failed agent.
  const red = new Set(report.lanes.filter((l) => l.status === 'done' && !isLaneGreen(l)).map((l) => l.name));
  const rows = timeline.rows.map((row) => {
    const width = row.cached ? 0 : row.endFraction - row.startFraction;
    const when = row.cached ? 'from cache' : `${formatClock(row.startMs)} → ${formatClock(row.endMs)}`;
    const duration = row.cached ? '' : formatDuration(row.endMs - row.startMs);
    const name = escapeHtml(row.lane);
    const title = escapeHtml(`${row.lane}: ${row.status}, ${when}${duration ? ` (${duration})` : ''}`);
    return (
      `<div class="timeline-row">` +
      `<div class="timeline-label">${name}${risky.has(row.lane) ? ' <span class="tag tag-risky">risky</span>' : ''}</div>` +
      `<div class="timeline-track">${grid}` +
      `<div class="timeline-bar status-${row.status}${red.has(row.lane) ? ' not-green' : ''}${row.cached ? ' cached' : ''}" data-lane="${name}" ` +
      `style="left:${percent(row.startFraction)};width:${percent(width)}" title="${title}">` +
      `<span class="timeline-bar-text">${escapeHtml(duration || 'cache')}</span></div></div>` +
      `<div class="timeline-when">${escapeHtml(when)}</div></div>`
    );
  });
  if (timeline.integration) {
    const i = timeline.integration;
    rows.push(
      `<div class="timeline-row">` +
        `<div class="timeline-label">integrate</div>` +
        `<div class="timeline-track">${grid}` +
        `<div class="timeline-bar timeline-integration outcome-${report.outcome}" data-step="integrate" ` +
        `style="left:${percent(i.startFraction)};width:${percent(i.endFraction - i.startFraction)}" ` +
        `title="integration: ${escapeHtml(formatDuration(i.durationMs))}"></div></div>` +
        `<div class="timeline-when">${escapeHtml(formatDuration(i.durationMs))}</div></div>`,
    );
  }
  const axis = ticks
    .map((t) => `<span class="tick-label" style="left:${percent(t.fraction)}">${escapeHtml(formatClock(t.ms))}</span>`)
    .join('');
  return (
    `<div id="timeline" class="timeline" data-window-ms="${timeline.windowMs}">${rows.join('')}` +
    `<div class="timeline-row timeline-axis-row"><div class="timeline-label"></div>` +
    `<div class="timeline-axis">${axis}</div><div class="timeline-when"></div></div></div>`
  );
}

/** Evenly spaced ticks from 0 up to the window's end, at a round step that keeps them few. */
function planTicks(windowMs: number): Array<{ ms: number; fraction: number }> {
  const step = (TICK_STEPS.find((s) => (windowMs / 1000) / s <= MAX_TICKS) ?? Math.ceil(windowMs / 1000 / MAX_TICKS)) * 1000;
  const ticks: Array<{ ms: number; fraction: number }> = [];
  for (let ms = 0; ms <= windowMs; ms += step) ticks.push({ ms, fraction: ms / windowMs });
  return ticks;
}

function percent(fraction: number): string {
  return `${(Math.max(0, fraction) * 100).toFixed(3)}%`;
}
