import type Anthropic from '@anthropic-ai/sdk';
import { AgentError } from '../../errors';
import { findModelPrice } from '../../feature/default-agent';
import type { ModelPrice } from '../../feature/feature-types';
import type { TokenUsage } from '../provider';

const PER_MILLION = 1_000_000;

/** TokenUsage with the 1-hour share of `cacheWrite` apart, which costs more than a 5-minute write. */
export interface TurnUsage extends TokenUsage {
  /** The part of `cacheWrite` written with a 1-hour time-to-live; 0 when the response gave no split. */
  cacheWrite1h: number;
}

/**
 * A response's usage. `cache_creation_input_tokens` is the total written and `cache_creation`
 * says how much of it was 1-hour; without the split every write is taken as a 5-minute one.
 */
export function readTurnUsage(usage: Anthropic.Usage): TurnUsage {
  const oneHour = usage.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  const fiveMinutes = usage.cache_creation?.ephemeral_5m_input_tokens ?? 0;
  return {
    input: usage.input_tokens ?? 0,
    output: usage.output_tokens ?? 0,
    cacheRead: usage.cache_read_input_tokens ?? 0,
    // A total below its own split would under-price; the larger figure wins, as the metering proxy takes it.
    cacheWrite: Math.max(usage.cache_creation_input_tokens ?? 0, fiveMinutes + oneHour),
    cacheWrite1h: oneHour,
  };
}

/**
 * What `usage` of `model` costs in US dollars, from `prices` (an AgentConfig's table: defaults
 * merged with the plan's `agent.prices`). Cache rates default to 1.25x input (5-minute write),
 * 2x input (1-hour write) and 0.1x input (read). An unpriced model throws, because a budget the
 * loop cannot count is no budget: the provider calls this before its first request so the lane
 * fails up front.
 */
export function priceUsage(model: string, usage: TokenUsage & { cacheWrite1h?: number }, prices: Record<string, ModelPrice>): number {
  const price = findModelPrice(prices, model);
  if (!price) {
    throw new AgentError(`No price is known for model \`${model}\`, so the lane's budget cannot be enforced.`, {
      hint:
        `Add \`agent.prices["${model}"]\` to feature.jsonc, e.g. ` +
        `"prices": { "${model}": { "input": 3, "output": 15 } } (US dollars per million tokens).`,
    });
  }
  const oneHour = Math.min(usage.cacheWrite1h ?? 0, usage.cacheWrite);
  return (
    (usage.input * price.input +
      usage.output * price.output +
      (usage.cacheWrite - oneHour) * price.cacheWrite +
      oneHour * price.cacheWrite1h +
      usage.cacheRead * price.cacheRead) /
    PER_MILLION
  );
}
