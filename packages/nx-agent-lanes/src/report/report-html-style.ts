/**
 * The report page's stylesheet, inlined so the page works offline, from a CI artifact or an
 * email attachment: system fonts only, no external assets. Print keeps the colours and
 * wraps long diff lines instead of cutting them off.
 */
export const REPORT_HTML_STYLE = `
:root {
  --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --bg: #ffffff;
  --green: #1a7f37; --green-bg: #dafbe1; --red: #cf222e; --red-bg: #ffebe9;
  --amber: #9a6700; --amber-bg: #fff8c5; --purple: #8250df; --blue: #0969da; --grey: #8c959f;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--fg); background: var(--bg);
  font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 8px 32px 48px; }
h2 { font-size: 18px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 8px; }
code { font-family: var(--mono); font-size: .88em; background: var(--soft); border: 1px solid var(--line);
  border-radius: 4px; padding: 0 4px; }
a { color: var(--blue); text-decoration: none; }
a:hover { text-decoration: underline; }
.muted { color: var(--muted); }

.banner { padding: 28px 32px 24px; color: #fff; }
.banner-inner { max-width: 1056px; margin: 0 auto; }
.banner.outcome-green { background: linear-gradient(135deg, #1a7f37, #2da44e); }
.banner.outcome-red { background: linear-gradient(135deg, #a40e26, #cf222e); }
.banner .status { display: inline-block; font-weight: 700; letter-spacing: .06em; font-size: 12px;
  background: rgba(255,255,255,.2); border: 1px solid rgba(255,255,255,.45); border-radius: 999px; padding: 2px 12px; }
.banner h1 { margin: 10px 0 4px; font-size: 26px; line-height: 1.25; }
.banner .goal { margin: 0 0 12px; font-size: 16px; opacity: .95; }
.banner .meta { margin: 0; font-size: 12.5px; opacity: .9; }
.banner code { background: rgba(255,255,255,.16); border-color: rgba(255,255,255,.35); color: #fff; }

.figures { display: grid; grid-template-columns: repeat(6, 1fr); gap: 12px; margin: 20px 0 8px; }
.figure { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: var(--bg); }
.figure .value { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
.figure .label { font-size: 12px; color: var(--muted); }
.speedup { margin: 8px 0 0; color: var(--muted); }

.next-steps { margin: 20px 0 0; border: 1px solid var(--line); border-left: 4px solid var(--blue);
  border-radius: 6px; padding: 10px 16px 10px 14px; background: var(--soft); }
.next-steps.outcome-red { border-left-color: var(--red); background: var(--red-bg); }
.next-steps h2 { border: 0; margin: 0 0 4px; padding: 0; font-size: 15px; }
.next-steps ol { margin: 0; padding-left: 22px; }
.next-steps li { margin: 4px 0; }
.next-steps code { white-space: nowrap; }

table.lanes { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.lanes th, table.lanes td { padding: 7px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
table.lanes th { font-size: 12px; color: var(--muted); font-weight: 600; background: var(--soft); }
table.lanes td.num, table.lanes th.num { text-align: right; }
table.lanes tr.risky td:first-child { box-shadow: inset 3px 0 0 var(--amber); }
.pill { display: inline-block; border-radius: 999px; padding: 0 8px; font-size: 12px; font-weight: 600; border: 1px solid; }
.pill.status-done, .pill.good { color: var(--green); background: var(--green-bg); border-color: #aceebb; }
.pill.status-blocked { color: var(--amber); background: var(--amber-bg); border-color: #f2d77b; }
.pill.status-failed, .pill.bad { color: var(--red); background: var(--red-bg); border-color: #ffcecb; }
.pill.status-over-budget { color: var(--purple); background: #fbefff; border-color: #e4c9ff; }
.pill.review { color: var(--amber); background: var(--amber-bg); border-color: #f2d77b; }
.pill.trust { color: var(--muted); background: var(--soft); border-color: var(--line); }
.tag { font-size: 10.5px; font-weight: 600; border-radius: 4px; padding: 0 5px; vertical-align: 1px; }
.tag-risky { color: var(--amber); background: var(--amber-bg); border: 1px solid #f2d77b; }

.timeline { border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px 6px; }
.timeline-row { display: grid; grid-template-columns: 150px 1fr 130px; align-items: center; gap: 12px; min-height: 30px; }
.timeline-label { font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.timeline-when { font-size: 12px; color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap; }
.timeline-track { position: relative; height: 22px; background: var(--soft); border-radius: 4px; }
.timeline-track .tick { position: absolute; top: 0; bottom: 0; width: 1px; background: var(--line); }
.timeline-bar { position: absolute; top: 3px; height: 16px; min-width: 4px; border-radius: 3px; overflow: hidden;
  color: #fff; font-size: 11px; line-height: 16px; padding: 0 6px; white-space: nowrap; }
.timeline-bar.status-done { background: #2da44e; }
.timeline-bar.status-blocked { background: #d4a72c; }
.timeline-bar.status-failed, .timeline-bar.not-green { background: var(--red); }
.timeline-bar.status-over-budget { background: var(--purple); }
.timeline-bar.cached { min-width: 46px; color: var(--muted); border: 1px dashed var(--grey);
  background: repeating-linear-gradient(135deg, #eaeef2 0 4px, #f6f8fa 4px 8px); }
.timeline-bar.timeline-integration { background: var(--blue); }
.timeline-bar.timeline-integration.outcome-conflict,
.timeline-bar.timeline-integration.outcome-integration-test-failed { background: var(--red); }
.timeline-axis { position: relative; height: 20px; }
.timeline-axis .tick-label { position: absolute; transform: translateX(-50%); font-size: 11px; color: var(--muted);
  font-variant-numeric: tabular-nums; }
.timeline-axis .tick-label:first-child { transform: none; }

.item-list { margin: 0; padding-left: 20px; }
.item-list li { margin: 6px 0; }
blockquote { margin: 8px 0; padding: 4px 12px; border-left: 3px solid var(--line); color: var(--muted); }
.lane-review { border: 1px solid var(--line); border-radius: 8px; padding: 4px 16px 16px; margin: 16px 0; }
.lane-review h3 { display: flex; gap: 10px; align-items: center; }
.diff { border: 1px solid var(--line); border-radius: 6px; margin: 12px 0; overflow-x: auto; }
.diff-header { display: flex; gap: 10px; align-items: center; padding: 6px 10px; background: var(--soft);
  border-bottom: 1px solid var(--line); }
.diff-header code { background: none; border: 0; padding: 0; font-weight: 600; }
.diff-badge { font-size: 11px; color: var(--muted); border: 1px solid var(--line); border-radius: 999px; padding: 0 7px; }
.diff-stat { margin-left: auto; font-family: var(--mono); font-size: 12px; }
.stat-add { color: var(--green); } .stat-del { color: var(--red); }
.diff-table { width: 100%; border-collapse: collapse; font-family: var(--mono); font-size: 12px; line-height: 20px; }
.diff-table td { padding: 0 10px; vertical-align: top; }
.diff-table td.num { width: 1%; min-width: 42px; text-align: right; color: var(--grey); user-select: none;
  border-right: 1px solid var(--line); font-variant-numeric: tabular-nums; }
.diff-table td.code { white-space: pre; }
.ln-add td { background: #e6ffec; } .ln-add td.num { background: #ccffd8; }
.ln-del td { background: #ffebe9; } .ln-del td.num { background: #ffd7d5; }
.ln-hunk td { background: #ddf4ff; color: var(--muted); }
.ln-note td { color: var(--muted); font-style: italic; }

details.lane-details { border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; }
details.lane-details summary { cursor: pointer; padding: 8px 12px; list-style-position: inside; }
details.lane-details[open] summary { border-bottom: 1px solid var(--line); }
details.lane-details .details-body { padding: 4px 16px 10px; }
.files { margin: 6px 0; padding-left: 20px; font-family: var(--mono); font-size: 12.5px; }
.files .file-status { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--muted); font-size: 11.5px; }
pre.output { background: #0d1117; color: #e6edf3; border-radius: 6px; padding: 12px 14px; overflow-x: auto;
  font: 12px/1.5 var(--mono); }
.verdict-ok { color: var(--green); font-weight: 600; } .verdict-bad { color: var(--red); font-weight: 600; }
table.conflict { border-collapse: collapse; } table.conflict td, table.conflict th { border: 1px solid var(--line); padding: 5px 10px; text-align: left; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }

@media (max-width: 860px) { .figures { grid-template-columns: repeat(3, 1fr); } main { padding: 8px 16px 32px; } }
@media print {
  body { font-size: 11px; }
  main { max-width: none; padding: 0 12px; }
  .banner { padding: 16px 12px; }
  .diff-table td.code, pre.output { white-space: pre-wrap; word-break: break-all; }
  .diff, .timeline, .figure, tr { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  a { color: inherit; }
}
`;
