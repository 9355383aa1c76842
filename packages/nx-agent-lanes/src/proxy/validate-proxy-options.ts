import { LanesError } from '../errors';
import { findModelPrice } from '../feature/default-agent';
import { describeUnpricedLaneModel } from './price-api-usage';
import { DEFAULT_UPSTREAM } from './read-upstream-env';
import type { MeteringProxyOptions } from './proxy-types';

function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * Checks a proxy's options before it listens and returns the upstream URL. Everything that would
 * make a budget uncountable fails here, before an agent runs: no credential, a lane whose own
 * model has no price, a limit that is not a number.
 */
export function validateProxyOptions(options: MeteringProxyOptions): URL {
  const raw = options.upstream ?? DEFAULT_UPSTREAM;
  let upstream: URL;
  try {
    upstream = new URL(raw);
  } catch {
    upstream = new URL('invalid:');
  }
  if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:') {
    throw new LanesError(`The metering proxy's upstream \`${raw}\` is not an http(s) URL.`, {
      hint: 'Set ANTHROPIC_BASE_URL to the API gateway base URL (e.g. https://api.anthropic.com), or unset it.',
    });
  }
  if (upstream.username || upstream.password) {
    throw new LanesError('The metering proxy\'s upstream URL carries credentials; they would be forwarded unmetered.', {
      hint: 'Put the key in ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN) instead of the URL.',
    });
  }
  // No credential is allowed: a command lane may need no API at all (the offline agent), and one
  // that does gets the upstream's own 401, which names the missing key.
  if (options.featureBudgetUsd !== undefined && !isCount(options.featureBudgetUsd)) {
    throw new LanesError(`The feature budget must be a number of US dollars, not ${String(options.featureBudgetUsd)}.`);
  }
  const concurrency = options.concurrentRequestsPerLane;
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new LanesError(`concurrentRequestsPerLane must be a whole number of at least 1, not ${String(concurrency)}.`);
  }
  for (const [lane, config] of Object.entries(options.lanes)) {
    if (!isCount(config.budgetUsd)) throw new LanesError(`Lane ${lane}'s budgetUsd must be a number of US dollars, not ${String(config.budgetUsd)}.`);
    if (!Number.isInteger(config.maxTurns) || config.maxTurns < 1) {
      throw new LanesError(`Lane ${lane}'s maxTurns must be a whole number of at least 1, not ${String(config.maxTurns)}.`);
    }
    if (!findModelPrice(config.prices, config.model)) throw describeUnpricedLaneModel(config.model);
  }
  return upstream;
}
