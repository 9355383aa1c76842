import type { LaneMeter } from './check-lane-limits';
import type { ForwardOutcome } from './forward-metered-request';
import { addMeteredUsage, createZeroMeteredUsage, priceApiUsage, type MeteredModelPrice } from './price-api-usage';

export function createEmptyMeter(): LaneMeter {
  return { requests: 0, turns: 0, usage: createZeroMeteredUsage(), costUsd: 0, refused: 0, unpricedModels: [], estimated: 0 };
}

export interface AnswerAccount {
  meter: LaneMeter;
  /** This answer's cost, in US dollars. */
  costUsd: number;
  /** Set the first time a response model had no price. */
  newlyUnpriced?: { model: string; pricedAs: string };
}

/**
 * The lane's meter after one forwarded request. Pure. A 2xx answer to `POST /v1/messages` is a
 * turn; its usage, when it has one, is priced with the lane's table. An upstream error (the SDK
 * retries 429/5xx) is a request but not a turn, so a rate-limited lane does not lose its turns.
 */
export function accountForAnswer(options: {
  meter: LaneMeter;
  outcome: ForwardOutcome;
  /** A `POST /v1/messages` (not count_tokens). */
  messages: boolean;
  laneModel: string;
  prices: Record<string, MeteredModelPrice>;
}): AnswerAccount {
  const { meter, outcome, messages, laneModel, prices } = options;
  const answered = outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300;
  const next: LaneMeter = { ...meter, requests: meter.requests + 1, unpricedModels: [...meter.unpricedModels] };
  if (!messages || !answered) return { meter: next, costUsd: 0 };
  next.turns++;
  if (outcome.estimated) next.estimated++;
  if (!outcome.usage) return { meter: next, costUsd: 0 };
  const priced = priceApiUsage({ model: outcome.model, laneModel, usage: outcome.usage, prices });
  next.usage = addMeteredUsage(meter.usage, outcome.usage);
  next.costUsd = meter.costUsd + priced.costUsd;
  const account: AnswerAccount = { meter: next, costUsd: priced.costUsd };
  if (priced.unpricedModel && !next.unpricedModels.includes(priced.unpricedModel)) {
    next.unpricedModels.push(priced.unpricedModel);
    account.newlyUnpriced = { model: priced.unpricedModel, pricedAs: priced.pricedAs };
  }
  return account;
}
