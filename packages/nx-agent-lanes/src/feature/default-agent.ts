import type { AgentConfig, AgentConfigInput, AgentProvider, ModelPrice } from './feature-types';

/** A current Sonnet (the SDK's `Model` type lists the line-up): Sonnet is the cost/quality middle. */
export const DEFAULT_MODEL = 'claude-sonnet-5-5';

export const AGENT_PROVIDERS: readonly AgentProvider[] = ['anthropic', 'claude-code', 'command'];

/**
 * Published prices per million tokens (US dollars), from Anthropic's price list as of 2026-12-01.
 * Newer model ids may be missing here, which is why `agent.prices` extends and overrides this
 * table. Rows without cache rates take the published multiples (see completeModelPrice); Haiku
 * 5.5 is priced at its lowest published tier.
 */
export const DEFAULT_PRICES: Record<string, ModelPrice> = {
  'claude-sonnet-5-5': { input: 2, output: 10, cacheWrite: 2.5, cacheWrite1h: 4, cacheRead: 0.2 },
  'claude-opus-5-5': { input: 4, output: 20 },
  'claude-fable-5-1': { input: 10, output: 50 },
  'claude-haiku-5-5': { input: 0.1, output: 0.5 },
  'claude-opus-4-5': { input: 5, output: 25 },
  'claude-opus-4-6': { input: 5, output: 25 },
  'claude-opus-4-7': { input: 5, output: 25 },
  'claude-opus-4-8': { input: 5, output: 25 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-sonnet-4-6': { input: 3, output: 15 },
  'claude-haiku-4-5': { input: 1, output: 5 },
};

/** The agent settings a feature gets when feature.jsonc says nothing. */
export const DEFAULT_AGENT: Readonly<Omit<AgentConfig, 'prices' | 'command' | 'claudeMd'>> = {
  provider: 'anthropic',
  model: DEFAULT_MODEL,
  maxTurns: 40,
  budgetUsd: 2,
  timeoutMinutes: 30,
  maxTokens: 8192,
};

/**
 * A price with its cache rates filled in at the published multiples: 5-minute cache write 1.25x
 * input, 1-hour cache write 2x input, cache read 0.1x input.
 */
export function completeModelPrice(price: ModelPrice): Required<ModelPrice> {
  return {
    input: price.input,
    output: price.output,
    cacheWrite: price.cacheWrite ?? price.input * 1.25,
    cacheWrite1h: price.cacheWrite1h ?? price.input * 2,
    cacheRead: price.cacheRead ?? price.input * 0.1,
  };
}

/**
 * The price of `model` in `prices` (an AgentConfig's table), cache rates filled in.
 * Dated ids (`claude-sonnet-4-5-20250929`) fall back to their undated alias.
 */
export function findModelPrice(prices: Record<string, ModelPrice>, model: string): Required<ModelPrice> | undefined {
  const price = prices[model] ?? prices[model.replace(/-\d{8}$/, '')];
  return price ? completeModelPrice(price) : undefined;
}

export interface ResolveAgentConfigOptions {
  /** The feature's `agent`, as written. */
  feature?: AgentConfigInput;
  /** The lane's `agent`, as written; its fields win one by one over the feature's. */
  lane?: AgentConfigInput;
}

/** Defaults, then the feature's `agent`, then the lane's, merged field by field. */
export function resolveAgentConfig({ feature = {}, lane = {} }: ResolveAgentConfigOptions): AgentConfig {
  const pick = <K extends keyof AgentConfigInput>(key: K): AgentConfigInput[K] => lane[key] ?? feature[key];
  const command = pick('command');
  return {
    provider: pick('provider') ?? DEFAULT_AGENT.provider,
    model: pick('model') ?? DEFAULT_AGENT.model,
    maxTurns: pick('maxTurns') ?? DEFAULT_AGENT.maxTurns,
    budgetUsd: pick('budgetUsd') ?? DEFAULT_AGENT.budgetUsd,
    timeoutMinutes: pick('timeoutMinutes') ?? DEFAULT_AGENT.timeoutMinutes,
    maxTokens: pick('maxTokens') ?? DEFAULT_AGENT.maxTokens,
    ...(command === undefined ? {} : { command }),
    // Prices merge per model id too, so a lane can add one model without restating the table.
    prices: { ...DEFAULT_PRICES, ...feature.prices, ...lane.prices },
    claudeMd: pick('claudeMd') ?? false,
  };
}
