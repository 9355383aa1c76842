import type Anthropic from '@anthropic-ai/sdk';
import { AgentError } from '../../errors';
import { findModelPrice } from '../../feature/default-agent';
import type { ModelPrice } from '../../feature/feature-types';
import { costOfUsage, readApiUsage, type MeteredUsage } from '../../proxy/price-api-usage';
import type { TokenUsage } from '../provider';

/** A response's usage, with the 1-hour share of its cache writes apart (the metering proxy's reading). */
export const readTurnUsage: (usage: Anthropic.Usage) => MeteredUsage = readApiUsage;

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
  return costOfUsage(price, usage);
}
