import type { MeteredUsage } from './price-api-usage';

/** What one lane has used so far, through this proxy and (via `spent`) before it started. */
export interface LaneMeter {
  /** Requests forwarded upstream (messages and count_tokens, answered or not). */
  requests: number;
  /** `POST /v1/messages` requests the upstream answered with a 2xx: the model turns paid for. */
  turns: number;
  usage: MeteredUsage;
  costUsd: number;
  /** Requests the proxy answered itself because a limit was reached. */
  refused: number;
  /** Response models that had no price and were priced as the lane's own model. */
  unpricedModels: string[];
  /** Responses whose usage was partly estimated (a stream that broke off before its final usage). */
  estimated: number;
  /** Why the lane was stopped, once it was. */
  stopped?: LaneStop;
}

export type LaneStopReason = 'budget' | 'turns' | 'feature-budget';

export interface LaneStop {
  reason: LaneStopReason;
  /** The message sent to the agent in the API error. */
  message: string;
}

export interface LaneLimitsInput {
  lane: string;
  budgetUsd: number;
  maxTurns: number;
  meter: LaneMeter;
  /** Turns and dollars that earlier runs of this lane already used (a resumed or retried lane). */
  spent: { turns: number; costUsd: number };
  /** Requests of this lane forwarded and not answered yet; each may become a turn. */
  inFlight: number;
  feature?: { budgetUsd: number; costUsd: number; byLane: Record<string, number> };
}

/** Dollars as a person reads them: cents, or four decimals under a dollar so small budgets still show. */
export function formatUsd(usd: number): string {
  return usd >= 1 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(4)}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Whether one more request of a lane may go upstream. Pure: the proxy asks before each request.
 * The budget is checked against dollars already metered, so the request that crosses it is
 * answered (it was admitted under budget) and the next one is refused: overshoot is one request
 * per request allowed in flight. Turns count the ones in flight, so `maxTurns` is never passed.
 */
export function checkLaneLimits(input: LaneLimitsInput): LaneStop | undefined {
  const { lane, budgetUsd, maxTurns, meter, spent, inFlight, feature } = input;
  const costUsd = meter.costUsd + spent.costUsd;
  const turns = meter.turns + spent.turns;
  const over = `(spent ${formatUsd(costUsd)} over ${plural(turns, 'request')})`;
  if (costUsd >= budgetUsd) {
    return { reason: 'budget', message: `nx-agent-lanes: lane ${lane} reached its budget of ${formatUsd(budgetUsd)} ${over}` };
  }
  if (turns + inFlight >= maxTurns) {
    return { reason: 'turns', message: `nx-agent-lanes: lane ${lane} reached its limit of ${plural(maxTurns, 'turn')} ${over}` };
  }
  if (feature && feature.costUsd >= feature.budgetUsd) {
    const where = Object.entries(feature.byLane)
      .filter(([, usd]) => usd > 0)
      .map(([name, usd]) => `${name} ${formatUsd(usd)}`)
      .join(', ');
    return {
      reason: 'feature-budget',
      message:
        `nx-agent-lanes: the feature reached its budget of ${formatUsd(feature.budgetUsd)} across lanes ` +
        `(spent ${formatUsd(feature.costUsd)}${where ? `: ${where}` : ''}); lane ${lane} stops here`,
    };
  }
  return undefined;
}
