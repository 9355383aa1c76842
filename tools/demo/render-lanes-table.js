'use strict';
/** Pure: the demo's closing table of lanes, from the review report (integration/result.json). */

const formatTokens = (n) => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n));

/** A figure summed over attempts: "unknown" when no attempt's figures are known, "+ unknown" when some are not. */
function known(figure, spend) {
  const unknown = spend.unknownAttempts ?? 0;
  if (!unknown) return figure;
  return unknown >= (spend.attempts ?? 0) ? 'unknown' : `${figure} + unknown`;
}

/**
 * One row per lane: status, files, attempts, then turns, tokens in/out (in counts cache reads and
 * writes) and cost over every attempt, and the last attempt's time.
 */
function renderLanesTable(report) {
  const head = ['lane', 'status', 'files', 'attempts', 'turns', 'tokens in / out', 'cost', 'time'];
  const rows = report.lanes.map((lane) => {
    const t = lane.tokens;
    const spend = { attempts: lane.attempts?.length ?? 0, unknownAttempts: lane.unknownAttempts };
    return [
      lane.name,
      lane.risky ? `${lane.status} (review)` : lane.status,
      String(lane.files.length),
      String(spend.attempts),
      known(String(lane.turns), spend),
      known(`${formatTokens(t.input + t.cacheRead + t.cacheWrite)} / ${formatTokens(t.output)}`, spend),
      known(`$${lane.costUsd.toFixed(4)}`, spend),
      `${(lane.durationMs / 1000).toFixed(1)} s`,
    ];
  });
  const totals = report.totals;
  rows.push([
    'total',
    report.outcome,
    String(report.lanes.reduce((n, l) => n + l.files.length, 0)),
    String(totals.attempts ?? ''),
    known(String(totals.turns), totals),
    known(`${formatTokens(totals.tokens.input + totals.tokens.cacheRead + totals.tokens.cacheWrite)} / ${formatTokens(totals.tokens.output)}`, totals),
    known(`$${totals.costUsd.toFixed(4)}`, totals),
    '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = new Set([2, 3, 4, 5, 6, 7]);
  const line = (cells) => cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(head), rule, ...rows.slice(0, -1).map(line), rule, line(rows[rows.length - 1])].join('\n');
}

module.exports = { renderLanesTable };
