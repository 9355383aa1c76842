import { AgentError } from '../../errors';
import { DEFAULT_PRICES } from '../../feature/default-agent';
import { priceUsage, readTurnUsage } from './pricing';

describe('priceUsage', () => {
  it('prices input, output and cache tokens per million, cache rates defaulting to 1.25x and 0.1x input', () => {
    const cost = priceUsage('claude-sonnet-4-6', { input: 1_000_000, output: 100_000, cacheWrite: 200_000, cacheRead: 2_000_000 }, DEFAULT_PRICES);
    // 3 + 1.5 + 0.2 x 3.75 + 2 x 0.3
    expect(cost).toBeCloseTo(3 + 1.5 + 0.75 + 0.6, 10);
  });

  it('uses explicit cache prices and dated model ids', () => {
    const prices = { 'my-model': { input: 2, output: 10, cacheWrite: 4, cacheRead: 1 } };
    expect(priceUsage('my-model', { input: 0, output: 0, cacheWrite: 1_000_000, cacheRead: 1_000_000 }, prices)).toBe(5);
    expect(priceUsage('claude-haiku-4-5-20251001', { input: 1_000_000, output: 0, cacheWrite: 0, cacheRead: 0 }, DEFAULT_PRICES)).toBe(1);
  });

  it('throws an AgentError naming the setting to add for an unknown model', () => {
    const price = () => priceUsage('claude-future-9', { input: 1, output: 1, cacheWrite: 0, cacheRead: 0 }, DEFAULT_PRICES);
    expect(price).toThrow(AgentError);
    expect(price).toThrow(/claude-future-9/);
    try {
      price();
    } catch (error) {
      expect((error as AgentError).hint).toContain('agent.prices["claude-future-9"]');
    }
  });

  it('knows the current line-up at its published prices', () => {
    const million = { input: 1_000_000, output: 1_000_000, cacheWrite: 1_000_000, cacheRead: 1_000_000 };
    expect(priceUsage('claude-sonnet-5-5', million, DEFAULT_PRICES)).toBeCloseTo(2 + 10 + 2.5 + 0.2, 9);
    expect(priceUsage('claude-opus-5-5', { ...million, cacheWrite: 0, cacheRead: 0 }, DEFAULT_PRICES)).toBeCloseTo(24, 9);
    expect(priceUsage('claude-fable-5-1', { ...million, cacheWrite: 0, cacheRead: 0 }, DEFAULT_PRICES)).toBeCloseTo(60, 9);
    expect(priceUsage('claude-haiku-5-5', { ...million, cacheWrite: 0, cacheRead: 0 }, DEFAULT_PRICES)).toBeCloseTo(0.6, 9);
  });

  it('prices the 1-hour share of cache writes at the 1-hour rate, 2x input unless given', () => {
    const usage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 3_000_000, cacheWrite1h: 1_000_000 };
    // Sonnet 5.5: 2 x $2.50 (5 minutes) + 1 x $4 (1 hour)
    expect(priceUsage('claude-sonnet-5-5', usage, DEFAULT_PRICES)).toBeCloseTo(9, 9);
    // Opus 5.5 has no written cache rates: 2 x 1.25 x $4 + 1 x 2 x $4
    expect(priceUsage('claude-opus-5-5', usage, DEFAULT_PRICES)).toBeCloseTo(18, 9);
    expect(priceUsage('my-model', usage, { 'my-model': { input: 1, output: 1, cacheWrite: 1, cacheWrite1h: 7 } })).toBeCloseTo(9, 9);
  });
});

describe('readTurnUsage', () => {
  const base = { input_tokens: 10, output_tokens: 20, cache_read_input_tokens: 30, cache_creation_input_tokens: 40 };

  it('keeps the 1-hour share of the cache writes apart', () => {
    const usage = { ...base, cache_creation: { ephemeral_5m_input_tokens: 15, ephemeral_1h_input_tokens: 25 } } as Parameters<typeof readTurnUsage>[0];
    expect(readTurnUsage(usage)).toEqual({ input: 10, output: 20, cacheRead: 30, cacheWrite: 40, cacheWrite1h: 25 });
  });

  it('takes every write as a 5-minute one without the split', () => {
    const usage = { ...base, cache_creation: null } as Parameters<typeof readTurnUsage>[0];
    expect(readTurnUsage(usage)).toEqual({ input: 10, output: 20, cacheRead: 30, cacheWrite: 40, cacheWrite1h: 0 });
  });
});
