/** One line of the bench table: what was measured, the figure, the goal, and whether it was met. */
export interface BenchRow {
  measure: string;
  figure: string;
  goal: string;
  /** undefined: a figure shown for context, with no goal of its own. */
  pass?: boolean;
}

/** The verdict column: PASS/MISS, or a dash for context rows. */
export function formatVerdict(pass: boolean | undefined): string {
  return pass === undefined ? '-' : pass ? 'PASS' : 'MISS';
}

/** A plain-text table with aligned columns, readable in a terminal and pasted into a note. */
export function formatBenchTable(rows: readonly BenchRow[]): string {
  const header = ['measure', 'figure', 'goal', 'result'];
  const cells = rows.map((r) => [r.measure, r.figure, r.goal, formatVerdict(r.pass)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(header), rule, ...cells.map(line)].join('\n');
}

export const formatSeconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
export const formatMs = (ms: number): string => `${Math.round(ms)} ms`;
export const formatRatio = (ratio: number): string => `${ratio.toFixed(2)}x`;

/** The middle value (mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
