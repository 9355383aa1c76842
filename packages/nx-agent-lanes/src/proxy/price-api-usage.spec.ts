import { AgentError } from '../errors';
import { DEFAULT_PRICES } from '../feature/default-agent';
import { priceApiUsage, readApiUsage } from './price-api-usage';

const M = 1_000_000;

describe('readApiUsage', () => {
  it('reads the API usage with its 5-minute / 1-hour cache split', () => {
    expect(
      readApiUsage({
        input_tokens: 10,
        output_tokens: 20,
        cache_read_input_tokens: 30,
        cache_creation_input_tokens: 40,
        cache_creation: { ephemeral_5m_input_tokens: 15, ephemeral_1h_input_tokens: 25 },
        service_tier: 'standard',
      }),
    ).toEqual({ input: 10, output: 20, cacheRead: 30, cacheWrite: 40, cacheWrite1h: 25 });
  });

  it('takes every write as 5-minute without a split, and nulls and junk as zero', () => {
    expect(readApiUsage({ input_tokens: 5, cache_creation_input_tokens: 7, cache_read_input_tokens: null, output_tokens: 'x' })).toEqual({
      input: 5, output: 0, cacheRead: 0, cacheWrite: 7, cacheWrite1h: 0,
    });
    expect(readApiUsage(undefined)).toEqual({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0 });
  });

  it('trusts the split when it sums above the total, so a write is never priced below what was split', () => {
    expect(readApiUsage({ cache_creation_input_tokens: 1, cache_creation: { ephemeral_5m_input_tokens: 3, ephemeral_1h_input_tokens: 4 } }).cacheWrite).toBe(7);
  });
});

describe('priceApiUsage', () => {
  const usage = { input: 1 * M, output: 1 * M, cacheRead: 1 * M, cacheWrite: 3 * M, cacheWrite1h: 1 * M };

  it('prices input, output, reads, 5-minute writes at 1.25x and 1-hour writes at 2x input', () => {
    const priced = priceApiUsage({ model: 'claude-sonnet-4-6', laneModel: 'claude-sonnet-4-6', usage, prices: DEFAULT_PRICES });
    // 3 + 15 + 0.3 + 2 x 3.75 + 1 x 6
    expect(priced.costUsd).toBeCloseTo(31.8, 10);
    expect(priced).toMatchObject({ pricedAs: 'claude-sonnet-4-6' });
    expect(priced.unpricedModel).toBeUndefined();
  });

  it('uses a table\'s own cache rates and 1-hour rate, and a dated id\'s alias', () => {
    const prices = { 'claude-x-1': { input: 2, output: 10, cacheWrite: 3, cacheRead: 0.5, cacheWrite1h: 7 } };
    const priced = priceApiUsage({ model: 'claude-x-1-20260101', laneModel: 'claude-x-1', usage, prices });
    expect(priced.costUsd).toBeCloseTo(2 + 10 + 0.5 + 2 * 3 + 7, 10);
    expect(priced.unpricedModel).toBeUndefined();
  });

  it('prices the default model, Sonnet 5.5, at its built-in rates: $2.50 per million for 5-minute writes, $4 for 1-hour ones', () => {
    const priced = priceApiUsage({ model: 'claude-sonnet-5-5', laneModel: 'claude-sonnet-5-5', usage, prices: DEFAULT_PRICES });
    expect(priced.costUsd).toBeCloseTo(2 + 10 + 0.2 + 2 * 2.5 + 1 * 4, 10);
  });

  it('prices the 1-hour writes of the response\'s model at that model\'s rate, not the lane\'s', () => {
    const prices = { a: { input: 1, output: 1, cacheWrite1h: 100 }, b: { input: 1, output: 1, cacheWrite1h: 3 } };
    const oneHourOnly = { input: 0, output: 0, cacheRead: 0, cacheWrite: 1 * M, cacheWrite1h: 1 * M };
    expect(priceApiUsage({ model: 'b', laneModel: 'a', usage: oneHourOnly, prices }).costUsd).toBeCloseTo(3, 10);
    expect(priceApiUsage({ model: 'unknown', laneModel: 'b', usage: oneHourOnly, prices }).costUsd).toBeCloseTo(3, 10);
  });

  it('prices an unknown model as the lane\'s own and names it', () => {
    const priced = priceApiUsage({ model: 'claude-mystery-9', laneModel: 'claude-haiku-4-5', usage: { ...usage, cacheWrite: 0, cacheWrite1h: 0, cacheRead: 0 }, prices: DEFAULT_PRICES });
    expect(priced).toEqual({ costUsd: 6, pricedAs: 'claude-haiku-4-5', unpricedModel: 'claude-mystery-9' });
  });

  it('prices an answer without a model as the lane\'s own model, unflagged', () => {
    const priced = priceApiUsage({ model: undefined, laneModel: 'claude-haiku-4-5', usage: { ...usage, cacheWrite: 0, cacheWrite1h: 0, cacheRead: 0 }, prices: DEFAULT_PRICES });
    expect(priced).toEqual({ costUsd: 6, pricedAs: 'claude-haiku-4-5' });
  });

  it('refuses a lane whose own model has no price, with the config to add', () => {
    const attempt = () => priceApiUsage({ model: 'x', laneModel: 'claude-new-1', usage, prices: {} });
    expect(attempt).toThrow(AgentError);
    const error = (() => {
      try {
        attempt();
      } catch (e) {
        return e as AgentError;
      }
    })();
    expect(error?.describe()).toMatch(/agent\.prices\["claude-new-1"\]/);
  });
});
