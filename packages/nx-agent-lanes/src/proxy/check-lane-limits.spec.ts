import { createEmptyMeter } from './account-for-answer';
import { checkLaneLimits, formatUsd, type LaneLimitsInput } from './check-lane-limits';

const base = (extra: Partial<LaneLimitsInput> = {}): LaneLimitsInput => ({
  lane: 'backend',
  budgetUsd: 0.5,
  maxTurns: 3,
  meter: { ...createEmptyMeter(), turns: 2, costUsd: 0.2 },
  spent: { turns: 0, costUsd: 0 },
  inFlight: 0,
  ...extra,
});

describe('checkLaneLimits', () => {
  it('lets a lane under its limits go on', () => {
    expect(checkLaneLimits(base())).toBeUndefined();
  });

  it('stops a lane whose metered cost reached its budget, saying what was spent over how many requests', () => {
    expect(checkLaneLimits(base({ meter: { ...createEmptyMeter(), turns: 2, costUsd: 0.5123 } }))).toEqual({
      reason: 'budget',
      message: 'nx-agent-lanes: lane backend reached its budget of $0.5000 (spent $0.5123 over 2 requests)',
    });
  });

  it('counts what earlier runs spent', () => {
    expect(checkLaneLimits(base({ spent: { turns: 0, costUsd: 0.3 } }))?.reason).toBe('budget');
    expect(checkLaneLimits(base({ spent: { turns: 1, costUsd: 0 } }))?.message).toBe(
      'nx-agent-lanes: lane backend reached its limit of 3 turns (spent $0.2000 over 3 requests)',
    );
  });

  it('counts requests in flight against maxTurns, so concurrent requests never pass it', () => {
    expect(checkLaneLimits(base({ inFlight: 1 }))?.reason).toBe('turns');
  });

  it('stops every lane once the feature cap is reached, naming what each lane spent', () => {
    const stop = checkLaneLimits(base({ feature: { budgetUsd: 1, costUsd: 1.25, byLane: { backend: 0.2, docs: 1.05, web: 0 } } }));
    expect(stop).toEqual({
      reason: 'feature-budget',
      message: 'nx-agent-lanes: the feature reached its budget of $1.00 across lanes (spent $1.25: backend $0.2000, docs $1.05); lane backend stops here',
    });
  });

  it('formats dollars with cents, or four decimals under a dollar', () => {
    expect([formatUsd(2), formatUsd(0.05), formatUsd(0.000123)]).toEqual(['$2.00', '$0.0500', '$0.0001']);
  });
});
