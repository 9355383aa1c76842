import { AgentError } from '../../errors';
import { DEFAULT_PRICES } from '../../feature/default-agent';
import { priceUsage } from './pricing';

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
});
