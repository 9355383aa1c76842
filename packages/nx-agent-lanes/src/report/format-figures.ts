/** Pure formatting of the report's numbers, shared by the markdown and HTML renderers. */
import type { TokenUsage } from '../agents/provider';

/** `42s`, `4.2s`, `1m 05s`, `1h 02m`: short enough for a table cell, exact enough to compare. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 60) return `${totalSeconds}s`;
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes}m ${pad(totalSeconds % 60)}s`;
  return `${Math.floor(minutes / 60)}h ${pad(minutes % 60)}m`;
}

/** An offset on the run's clock: `0:05`, `1:02`, `1:02:03`. */
export function formatClock(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const seconds = pad(totalSeconds % 60);
  const minutes = Math.floor(totalSeconds / 60);
  return minutes < 60 ? `${minutes}:${seconds}` : `${Math.floor(minutes / 60)}:${pad(minutes % 60)}:${seconds}`;
}

/** `950`, `12.3k`, `1.2M`. */
export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${trimZero((n / 1000).toFixed(1))}k`;
  return `${trimZero((n / 1_000_000).toFixed(1))}M`;
}

export function sumTokens(usage: TokenUsage): number {
  return usage.input + usage.output + usage.cacheRead + usage.cacheWrite;
}

/** All tokens a run moved, input and cache included, since all of them are billed. */
export function formatTokens(usage: TokenUsage): string {
  return formatCount(sumTokens(usage));
}

/** The split behind `formatTokens`, for a tooltip or a footnote. */
export function describeTokens(usage: TokenUsage): string {
  return `${usage.input} in, ${usage.output} out, ${usage.cacheRead} cache read, ${usage.cacheWrite} cache write`;
}

/** Cents for ordinary runs; four decimals below a cent so a cheap lane does not read as free. */
export function formatCost(usd: number): string {
  if (usd > 0 && usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}

/**
 * A figure summed over attempts, honest about the ones nobody measured: `unknown` when no attempt's
 * figures are known, `$0.05 + unknown` when some are not, the figure alone when all are.
 */
export function formatKnown(figure: string, spend: { attempts?: number; unknownAttempts?: number }): string {
  const unknown = spend.unknownAttempts ?? 0;
  if (unknown === 0) return figure;
  return unknown >= (spend.attempts ?? 0) ? 'unknown' : `${figure} + unknown`;
}

/** The measured speed-up of running lanes side by side, or undefined when there is nothing to divide by. */
export function computeSpeedup(options: { laneTimeSumMs: number; wallClockMs: number }): number | undefined {
  const { laneTimeSumMs, wallClockMs } = options;
  if (!(wallClockMs > 0) || !(laneTimeSumMs > 0)) return undefined;
  return laneTimeSumMs / wallClockMs;
}

export function formatSpeedup(speedup: number): string {
  return `${speedup.toFixed(1)}x`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function trimZero(text: string): string {
  return text.replace(/\.0$/, '');
}
