import { computeSpeedup, formatClock, formatCost, formatCount, formatDuration, formatSpeedup, formatTokens } from './format-figures';

describe('format-figures', () => {
  it('formatDuration: tenths under ten seconds, then seconds, minutes, hours', () => {
    expect([0, 3_640, 9_999, 52_000, 59_600, 65_000, 190_000, 3_723_000].map(formatDuration)).toEqual([
      '0.0s', '3.6s', '10.0s', '52s', '1m 00s', '1m 05s', '3m 10s', '1h 02m',
    ]);
    expect(formatDuration(-1)).toBe('–');
  });

  it('formatClock: offsets as m:ss', () => {
    expect([0, 1_000, 62_000, 3_723_000].map(formatClock)).toEqual(['0:00', '0:01', '1:02', '1:02:03']);
  });

  it('formatCount and formatTokens: every billed token, compactly', () => {
    expect([950, 1_000, 12_345, 999_949, 1_250_000].map(formatCount)).toEqual(['950', '1k', '12.3k', '999.9k', '1.3M']);
    expect(formatTokens({ input: 1_000, output: 500, cacheRead: 10_000, cacheWrite: 800 })).toBe('12.3k');
  });

  it('formatCost: cents, or four decimals under a cent so cheap is not free', () => {
    expect([0, 0.0031, 0.4254, 12].map(formatCost)).toEqual(['$0.00', '$0.0031', '$0.43', '$12.00']);
  });

  it('computeSpeedup: lane time over wall clock, undefined when either is zero', () => {
    expect(formatSpeedup(computeSpeedup({ laneTimeSumMs: 190_000, wallClockMs: 65_000 })!)).toBe('2.9x');
    expect(computeSpeedup({ laneTimeSumMs: 190_000, wallClockMs: 0 })).toBeUndefined();
    expect(computeSpeedup({ laneTimeSumMs: 0, wallClockMs: 10 })).toBeUndefined();
  });
});
