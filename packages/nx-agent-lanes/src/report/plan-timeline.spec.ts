import { planTimeline } from './plan-timeline';
import type { LaneReport } from './review-report';
import { sampleReviewReport } from './sample-report';

const T0 = Date.parse('2025-06-03T10:00:00.000Z');

function lane(name: string, startS: number, durationS: number, extra: Partial<LaneReport> = {}): LaneReport {
  return {
    ...sampleReviewReport().lanes[0],
    name,
    startedAt: new Date(T0 + startS * 1000).toISOString(),
    endedAt: new Date(T0 + (startS + durationS) * 1000).toISOString(),
    durationMs: durationS * 1000,
    ...extra,
  };
}

describe('planTimeline', () => {
  it('places lanes as fractions of the wall clock, from the first start', () => {
    const timeline = planTimeline({ lanes: [lane('a', 10, 30), lane('b', 20, 80)], wallClockMs: 100_000, integration: {} });
    expect(timeline.windowStart).toBe(T0 + 10_000);
    expect(timeline.windowMs).toBe(100_000);
    expect(timeline.rows.map((r) => [r.lane, r.startFraction, r.endFraction])).toEqual([
      ['a', 0, 0.3],
      ['b', 0.1, 0.9],
    ]);
    expect(timeline.integration).toBeUndefined();
  });

  it('puts the integration step at the end of the window', () => {
    const timeline = planTimeline({ lanes: [lane('a', 0, 40)], wallClockMs: 50_000, integration: { durationMs: 5_000 } });
    expect(timeline.integration).toEqual({ startFraction: 0.9, endFraction: 1, durationMs: 5_000 });
  });

  it('stretches the window when a lane ran past the reported wall clock', () => {
    const timeline = planTimeline({ lanes: [lane('a', 0, 120)], wallClockMs: 60_000, integration: {} });
    expect(timeline.windowMs).toBe(120_000);
    expect(timeline.rows[0].endFraction).toBe(1);
  });

  it('keeps a lane served from cache (yesterday\'s times) out of the window', () => {
    const cached = lane('old', -86_400, 300, { fromCache: true });
    const timeline = planTimeline({ lanes: [cached, lane('a', 0, 40)], wallClockMs: 40_000, integration: {} });
    expect(timeline.windowStart).toBe(T0);
    expect(timeline.windowMs).toBe(40_000);
    expect(timeline.rows[0]).toMatchObject({ lane: 'old', cached: true, startFraction: 0, endFraction: 0 });
    expect(timeline.rows[1]).toMatchObject({ lane: 'a', startFraction: 0, endFraction: 1 });
  });

  it('trusts the duration when the recorded end is missing or earlier', () => {
    const broken = lane('a', 0, 30, { endedAt: 'not a date' });
    const timeline = planTimeline({ lanes: [broken], wallClockMs: 60_000, integration: {} });
    expect(timeline.rows[0].endFraction).toBe(0.5);
  });
});
