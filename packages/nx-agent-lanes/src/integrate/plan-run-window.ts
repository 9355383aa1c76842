/** A time interval in epoch milliseconds. */
export interface Interval {
  start: number;
  end: number;
}

/** Gap that still counts as the same run: Nx starts a dependent task moments after its dependency. */
export const SAME_RUN_GAP_MS = 60_000;

/**
 * Which lane results were produced by the run that ends with this integrate, and when that run
 * started. Nx does not tell an executor which dependencies came from cache, and a restored
 * result.json keeps the times of the run that made it; so walk back from integrate's start
 * through intervals (lanes, verifies) that end within a small gap of the run so far. Lanes left
 * out ran in an earlier run and were restored from cache.
 */
export function planRunWindow(options: {
  integrateStart: number;
  lanes: ReadonlyArray<{ name: string } & Interval>;
  /** Other tasks of the run (verifications), which bridge the gap between lanes and integrate. */
  others?: readonly Interval[];
  gapMs?: number;
}): { runStart: number; ranNow: Set<string> } {
  const gap = options.gapMs ?? SAME_RUN_GAP_MS;
  const intervals = [
    ...options.lanes.map((l) => ({ ...l, lane: l.name as string | undefined })),
    ...(options.others ?? []).map((o) => ({ ...o, lane: undefined })),
  ].filter((i) => Number.isFinite(i.start) && Number.isFinite(i.end) && i.end <= options.integrateStart + gap);
  let runStart = options.integrateStart;
  const ranNow = new Set<string>();
  const taken = new Set<number>();
  for (let grew = true; grew; ) {
    grew = false;
    intervals.forEach((i, index) => {
      if (taken.has(index) || i.end < runStart - gap) return;
      taken.add(index);
      if (i.lane) ranNow.add(i.lane);
      if (i.start < runStart) runStart = i.start;
      grew = true;
    });
  }
  return { runStart, ranNow };
}
