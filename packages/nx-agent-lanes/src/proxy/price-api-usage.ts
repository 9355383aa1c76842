import { AgentError } from '../errors';
import { findModelPrice } from '../feature/default-agent';
import type { ModelPrice } from '../feature/feature-types';
import type { TokenUsage } from '../agents/provider';

const PER_MILLION = 1_000_000;

/** A price table entry, as the plan's `agent.prices` (`cacheWrite1h` defaults to 2x input, see completeModelPrice). */
export type MeteredModelPrice = ModelPrice;

/** One response's usage as the meter keeps it: TokenUsage, with the 1-hour share of `cacheWrite` apart. */
export interface MeteredUsage extends TokenUsage {
  /** The part of `cacheWrite` written with a 1-hour time-to-live (priced at the 1-hour rate). */
  cacheWrite1h: number;
}

export function createZeroMeteredUsage(): MeteredUsage {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0 };
}

export function addMeteredUsage(a: MeteredUsage, b: MeteredUsage): MeteredUsage {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    cacheRead: a.cacheRead + b.cacheRead,
    cacheWrite: a.cacheWrite + b.cacheWrite,
    cacheWrite1h: a.cacheWrite1h + b.cacheWrite1h,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * The Messages API's `usage` object in the meter's terms. `cache_creation_input_tokens` is the
 * total written; its `cache_creation` split says how much of it was 1-hour. When the split is
 * missing (older API versions, gateways), every write is taken as a 5-minute one.
 */
export function readApiUsage(usage: unknown): MeteredUsage {
  if (!isRecord(usage)) return createZeroMeteredUsage();
  const split = isRecord(usage.cache_creation) ? usage.cache_creation : {};
  const fiveMinutes = count(split.ephemeral_5m_input_tokens);
  const oneHour = count(split.ephemeral_1h_input_tokens);
  return {
    input: count(usage.input_tokens),
    output: count(usage.output_tokens),
    cacheRead: count(usage.cache_read_input_tokens),
    // A total below its own split would under-price; trust the larger figure.
    cacheWrite: Math.max(count(usage.cache_creation_input_tokens), fiveMinutes + oneHour),
    cacheWrite1h: oneHour,
  };
}

export interface PricedUsage {
  costUsd: number;
  /** The model whose price was used: the response's, or the lane's own when the response's is unpriced. */
  pricedAs: string;
  /** Set when the response's model had no price and the lane's own model priced it instead. */
  unpricedModel?: string;
}

/**
 * What `usage` of a response from `model` costs. An unpriced model (a new id, or one an agent asked
 * for on its own) is priced as `laneModel`, and named in `unpricedModel` so the meter can flag it:
 * refusing the answer after it was paid for would not save the money. `laneModel` itself must be
 * priced; `startMeteringProxy` checks that before it listens.
 */
export function priceApiUsage(options: {
  model: string | undefined;
  laneModel: string;
  usage: MeteredUsage;
  prices: Record<string, MeteredModelPrice>;
}): PricedUsage {
  const { laneModel, usage, prices } = options;
  const model = options.model || laneModel;
  const own = findModelPrice(prices, model);
  const pricedAs = own ? model : laneModel;
  const price = own ?? findModelPrice(prices, laneModel);
  if (!price) throw describeUnpricedLaneModel(laneModel);
  return { costUsd: costOfUsage(price, usage), pricedAs, ...(own ? {} : { unpricedModel: model }) };
}

/** Dollars for `usage` at `price`: the 1-hour share of the cache writes at its own rate, the rest at the 5-minute rate. */
export function costOfUsage(price: Required<ModelPrice>, usage: TokenUsage & { cacheWrite1h?: number }): number {
  const oneHour = Math.min(usage.cacheWrite1h ?? 0, usage.cacheWrite);
  return (
    (usage.input * price.input +
      usage.output * price.output +
      usage.cacheRead * price.cacheRead +
      (usage.cacheWrite - oneHour) * price.cacheWrite +
      oneHour * price.cacheWrite1h) /
    PER_MILLION
  );
}

/** The error for a lane whose own model has no price: its budget could not be counted at all. */
export function describeUnpricedLaneModel(model: string): AgentError {
  return new AgentError(`No price is known for model \`${model}\`, so the metering proxy cannot enforce the lane's budget.`, {
    hint:
      `Add \`agent.prices["${model}"]\` to feature.jsonc, e.g. ` +
      `"prices": { "${model}": { "input": 3, "output": 15 } } (US dollars per million tokens).`,
  });
}
