import type { Node } from 'jsonc-parser';
import { AGENT_PROVIDERS } from './default-agent';
import { AGENT_KEYS, PRICE_KEYS } from './feature-keys';
import type { AgentConfigInput, AgentProvider, ModelPrice } from './feature-types';
import {
  type PlanContext,
  nameField,
  readBoolean,
  readObject,
  readPositiveNumber,
  readString,
  reportProblem,
  valueOf,
} from './plan-context';
import { describeSuggestion } from './suggest-name';

/** An `agent` object as written, with the nodes later checks point at. */
export interface AgentConfigRead {
  config: AgentConfigInput;
  /** The `agent` property itself, and the values whose combination may be wrong after merging. */
  nodes: { agent: Node; provider?: Node; model?: Node };
}

const PROVIDER_HELP =
  'Use `anthropic` (the built-in tool-use loop on the Anthropic API), `claude-code` (Claude Code through @anthropic-ai/claude-agent-sdk) or `command` (any agent CLI, set in `agent.command`)';

/** Reads the `agent` property at `where` (`agent` or `lanes.<name>.agent`); undefined when absent or not an object. */
export function readAgentConfig(ctx: PlanContext, property: Node | undefined, where: string): AgentConfigRead | undefined {
  const node = valueOf(property);
  if (!property || !node) return undefined;
  const fields = readObject(ctx, node, { where, known: AGENT_KEYS, property });
  if (!fields) return undefined;
  const config: AgentConfigInput = {};
  const provider = readString(ctx, fields, 'provider');
  if (provider !== undefined) {
    if ((AGENT_PROVIDERS as readonly string[]).includes(provider)) {
      config.provider = provider as AgentProvider;
    } else {
      reportProblem(
        ctx,
        valueOf(fields.props.get('provider')),
        `Unknown agent provider \`${provider}\`.${describeSuggestion(provider, AGENT_PROVIDERS)} ${PROVIDER_HELP}.`,
      );
    }
  }
  assign(config, 'model', readString(ctx, fields, 'model'));
  assign(config, 'command', readString(ctx, fields, 'command'));
  // Whole numbers where the API or the loop counts (turns, tokens); budgets and minutes may be fractional.
  assign(config, 'maxTurns', readPositiveNumber(ctx, fields, 'maxTurns', { integer: true }));
  assign(config, 'budgetUsd', readPositiveNumber(ctx, fields, 'budgetUsd'));
  assign(config, 'timeoutMinutes', readPositiveNumber(ctx, fields, 'timeoutMinutes'));
  assign(config, 'maxTokens', readPositiveNumber(ctx, fields, 'maxTokens', { integer: true }));
  assign(config, 'prices', readPrices(ctx, fields.props.get('prices'), nameField(where, 'prices')));
  assign(config, 'claudeMd', readBoolean(ctx, fields, 'claudeMd'));
  return {
    config,
    nodes: { agent: property, provider: valueOf(fields.props.get('provider')), model: valueOf(fields.props.get('model')) },
  };
}

/** `prices`: model id -> `{ input, output, cacheWrite?, cacheWrite1h?, cacheRead? }`, dollars per million tokens. */
function readPrices(ctx: PlanContext, property: Node | undefined, where: string): Record<string, ModelPrice> | undefined {
  const node = valueOf(property);
  if (!property || !node) return undefined;
  const table = readObject(ctx, node, { where, known: [], property, openKeys: true });
  if (!table) return undefined;
  const prices: Record<string, ModelPrice> = {};
  for (const [model, priceProperty] of table.props) {
    const priceNode = valueOf(priceProperty);
    const priceWhere = `${where}.${model}`;
    const fields = priceNode && readObject(ctx, priceNode, { where: priceWhere, known: PRICE_KEYS, property: priceProperty });
    if (!fields) continue;
    const required = 'the price in US dollars per million tokens, e.g. `3`.';
    const input = readPositiveNumber(ctx, fields, 'input', { required, allowZero: true });
    const output = readPositiveNumber(ctx, fields, 'output', { required, allowZero: true });
    const cacheWrite = readPositiveNumber(ctx, fields, 'cacheWrite', { allowZero: true });
    const cacheWrite1h = readPositiveNumber(ctx, fields, 'cacheWrite1h', { allowZero: true });
    const cacheRead = readPositiveNumber(ctx, fields, 'cacheRead', { allowZero: true });
    if (input === undefined || output === undefined) continue;
    prices[model] = { input, output };
    assign(prices[model], 'cacheWrite', cacheWrite);
    assign(prices[model], 'cacheWrite1h', cacheWrite1h);
    assign(prices[model], 'cacheRead', cacheRead);
  }
  return prices;
}

function assign<T, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
