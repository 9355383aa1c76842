import { DEFAULT_AGENT, DEFAULT_MODEL, DEFAULT_PRICES, findModelPrice, resolveAgentConfig } from './default-agent';
import { measureEditDistance, suggestName } from './suggest-name';
import { locateOffset } from './locate-offset';

describe('resolveAgentConfig', () => {
  it('applies the defaults when nothing is written', () => {
    expect(resolveAgentConfig({})).toEqual({
      provider: 'anthropic',
      model: 'claude-sonnet-5-5',
      maxTurns: 40,
      budgetUsd: 2,
      timeoutMinutes: 30,
      maxTokens: 8192,
      claudeMd: false,
      prices: DEFAULT_PRICES,
    });
    expect(DEFAULT_MODEL).toBe(DEFAULT_AGENT.model);
  });

  it('merges the lane over the feature field by field, prices per model id', () => {
    const config = resolveAgentConfig({
      feature: { provider: 'command', command: 'aider', budgetUsd: 5, prices: { a: { input: 1, output: 2 } } },
      lane: { command: 'claude -p', maxTurns: 3, prices: { b: { input: 3, output: 4 } } },
    });
    expect(config).toEqual({
      provider: 'command',
      model: DEFAULT_MODEL,
      maxTurns: 3,
      budgetUsd: 5,
      timeoutMinutes: 30,
      maxTokens: 8192,
      claudeMd: false,
      command: 'claude -p',
      prices: { ...DEFAULT_PRICES, a: { input: 1, output: 2 }, b: { input: 3, output: 4 } },
    });
  });
});

describe('findModelPrice', () => {
  it('fills cache rates from the input price, honours written ones, and knows dated ids', () => {
    expect(findModelPrice(DEFAULT_PRICES, 'claude-opus-4-6')).toEqual({ input: 5, output: 25, cacheWrite: 6.25, cacheWrite1h: 10, cacheRead: 0.5 });
    expect(findModelPrice(DEFAULT_PRICES, 'claude-haiku-4-5')).toEqual({ input: 1, output: 5, cacheWrite: 1.25, cacheWrite1h: 2, cacheRead: 0.1 });
    expect(findModelPrice(DEFAULT_PRICES, 'claude-sonnet-4-5-20250929')).toMatchObject({ input: 3, output: 15 });
    expect(findModelPrice({ m: { input: 2, output: 4, cacheWrite: 4, cacheWrite1h: 5, cacheRead: 0 } }, 'm')).toEqual({
      input: 2, output: 4, cacheWrite: 4, cacheWrite1h: 5, cacheRead: 0,
    });
    expect(findModelPrice(DEFAULT_PRICES, 'gpt-5')).toBeUndefined();
  });

  it('prices the default model, Sonnet 5.5, at its published rates of 2026-12-01, 1-hour cache writes included', () => {
    expect(findModelPrice(DEFAULT_PRICES, DEFAULT_MODEL)).toEqual({ input: 2, output: 10, cacheWrite: 2.5, cacheWrite1h: 4, cacheRead: 0.2 });
  });
});

describe('suggestName and locateOffset', () => {
  it('suggests close names only', () => {
    expect(measureEditDistance('agnet', 'agent')).toBe(1);
    expect(suggestName('ownes', ['spec', 'owns', 'forbids'])).toBe('owns');
    expect(suggestName('Owns', ['spec', 'owns'])).toBe('owns');
    expect(suggestName('lane', ['spec', 'owns', 'after'])).toBeUndefined();
  });

  it('counts 1-based lines and columns across \\n, \\r\\n and \\r', () => {
    expect(locateOffset('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
    expect(locateOffset('ab\r\ncd', 5)).toEqual({ line: 2, column: 2 });
    expect(locateOffset('a\rb', 2)).toEqual({ line: 2, column: 1 });
    expect(locateOffset('abc', 0)).toEqual({ line: 1, column: 1 });
  });
});
