'use strict';
/** Pure: the demo's closing table of lanes, from the review report (integration/result.json). */

const formatTokens = (n) => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n));

/** One row per lane: status, files, turns, tokens in/out (in counts cache reads and writes), cost, time. */
function renderLanesTable(report) {
  const head = ['lane', 'status', 'files', 'turns', 'tokens in / out', 'cost', 'time'];
  const rows = report.lanes.map((lane) => {
    const t = lane.tokens;
    return [
      lane.name,
      lane.risky ? `${lane.status} (review)` : lane.status,
      String(lane.files.length),
      String(lane.turns),
      `${formatTokens(t.input + t.cacheRead + t.cacheWrite)} / ${formatTokens(t.output)}`,
      `$${lane.costUsd.toFixed(4)}`,
      `${(lane.durationMs / 1000).toFixed(1)} s`,
    ];
  });
  const totals = report.totals;
  rows.push([
    'total',
    report.outcome,
    String(report.lanes.reduce((n, l) => n + l.files.length, 0)),
    String(totals.turns),
    `${formatTokens(totals.tokens.input + totals.tokens.cacheRead + totals.tokens.cacheWrite)} / ${formatTokens(totals.tokens.output)}`,
    `$${totals.costUsd.toFixed(4)}`,
    '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = new Set([2, 3, 4, 5, 6]);
  const line = (cells) => cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(head), rule, ...rows.slice(0, -1).map(line), rule, line(rows[rows.length - 1])].join('\n');
}

module.exports = { renderLanesTable };
