/**
 * Pure: where each lane's bar sits on the run's wall-clock window, as fractions of it, so
 * the markdown (characters) and the HTML (percentages) timelines draw the same picture.
 */
import type { LaneStatus } from '../agents/provider';
import type { ReviewReport } from './review-report';

export interface TimelineRow {
  lane: string;
  status: LaneStatus;
  /** Served from Nx's cache: its times are from an earlier run, so it is drawn as a sliver at the start. */
  cached: boolean;
  /** Offsets from the window start, in milliseconds. */
  startMs: number;
  endMs: number;
  /** 0..1 of the window. */
  startFraction: number;
  endFraction: number;
}

export interface Timeline {
  /** Epoch milliseconds of the window's start (the first lane's start). */
  windowStart: number;
  /** Length of the window: the report's wall clock, stretched if a lane ran past it. */
  windowMs: number;
  rows: TimelineRow[];
  /** The integration step, drawn as ending at the window's end, when its duration is known. */
  integration?: { startFraction: number; endFraction: number; durationMs: number };
}

export function planTimeline(report: Pick<ReviewReport, 'lanes' | 'wallClockMs' | 'integration'>): Timeline {
  const live = report.lanes.filter((l) => !l.fromCache && Number.isFinite(Date.parse(l.startedAt)));
  const starts = (live.length ? live : report.lanes).map((l) => Date.parse(l.startedAt)).filter(Number.isFinite);
  const windowStart = starts.length ? Math.min(...starts) : 0;
  const lastEnd = Math.max(0, ...live.map((l) => laneEnd(l) - windowStart));
  const windowMs = Math.max(report.wallClockMs, lastEnd, 1);
  const fraction = (ms: number) => clamp(ms / windowMs);

  const rows = report.lanes.map((lane): TimelineRow => {
    const cached = Boolean(lane.fromCache);
    const start = Date.parse(lane.startedAt);
    const startMs = cached || !Number.isFinite(start) ? 0 : Math.max(0, start - windowStart);
    const endMs = cached || !Number.isFinite(start) ? 0 : Math.max(startMs, laneEnd(lane) - windowStart);
    return { lane: lane.name, status: lane.status, cached, startMs, endMs, startFraction: fraction(startMs), endFraction: fraction(endMs) };
  });

  const integrationMs = report.integration.durationMs;
  const integration =
    integrationMs !== undefined && integrationMs > 0
      ? { startFraction: fraction(windowMs - integrationMs), endFraction: 1, durationMs: integrationMs }
      : undefined;
  return { windowStart, windowMs, rows, integration };
}

/** A lane's end: its recorded end, or start + duration when the end is missing or earlier. */
function laneEnd(lane: { startedAt: string; endedAt: string; durationMs: number }): number {
  const start = Date.parse(lane.startedAt);
  const end = Date.parse(lane.endedAt);
  const byDuration = start + Math.max(0, lane.durationMs);
  return Number.isFinite(end) ? Math.max(end, byDuration) : byDuration;
}

function clamp(x: number): number {
  return Math.min(1, Math.max(0, x));
}
