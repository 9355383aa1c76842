import { AgentError } from '../../errors';
import { findModelPrice } from '../../feature/default-agent';
import type { ModelPrice } from '../../feature/feature-types';
import type { TokenUsage } from '../provider';

const PER_MILLION = 1_000_000;

/**
 * What `usage` of `model` costs in US dollars, from `prices` (an AgentConfig's table: defaults
 * merged with the plan's `agent.prices`). Cache rates default to 1.25x input (5-minute write)
 * and 0.1x input (read). An unpriced model throws, because a budget the loop cannot count
 * is no budget: the provider calls this before its first request so the lane fails up front.
 */
export function priceUsage(model: string, usage: TokenUsage, prices: Record<string, ModelPrice>): number {
  const price = findModelPrice(prices, model);
  if (!price) {
    throw new AgentError(`No price is known for model \`${model}\`, so the lane's budget cannot be enforced.`, {
      hint:
        `Add \`agent.prices["${model}"]\` to feature.jsonc, e.g. ` +
        `"prices": { "${model}": { "input": 3, "output": 15 } } (US dollars per million tokens).`,
    });
  }
  return (
    (usage.input * price.input +
      usage.output * price.output +
      usage.cacheWrite * price.cacheWrite +
      usage.cacheRead * price.cacheRead) /
    PER_MILLION
  );
}
