import type { Node } from 'jsonc-parser';
import { findModelPrice, resolveAgentConfig } from './default-agent';
import type { AgentConfig } from './feature-types';
import { type PlanContext, reportProblem } from './plan-context';
import type { AgentConfigRead } from './read-agent-config';
import type { LaneRead } from './read-lane';

/**
 * Checks each lane's merged agent settings: a problem may come from the feature's `agent`
 * and a lane's override together, so it is found after merging and pointed at the value
 * that decided it (the lane's if it set one, else the feature's). Returns the merged configs.
 */
export function validateAgents(ctx: PlanContext, lanes: LaneRead[], feature: AgentConfigRead | undefined): Map<string, AgentConfig> {
  const configs = new Map<string, AgentConfig>();
  const missingCommand = new Map<Node | undefined, string[]>();
  const missingPrice = new Map<Node | undefined, { model: string; lanes: string[] }>();
  // Lanes without an `agent` of their own share one resolved config (plans are read-only data):
  // a plan of 10,000 lanes would otherwise build and hash 10,000 copies of the price table.
  let featureOnly: AgentConfig | undefined;
  for (const lane of lanes) {
    const config = lane.agent ? resolveAgentConfig({ feature: feature?.config, lane: lane.agent.config }) : (featureOnly ??= resolveAgentConfig({ feature: feature?.config }));
    configs.set(lane.name, config);
    // An unknown provider is reported already; guessing what it would have needed only adds noise.
    if (hasInvalidProvider(feature) || hasInvalidProvider(lane.agent)) continue;
    if (config.provider === 'command' && config.command === undefined) {
      const at = lane.agent?.nodes.provider ?? feature?.nodes.provider;
      missingCommand.set(at, [...(missingCommand.get(at) ?? []), lane.name]);
    }
    // The anthropic loop and Claude Code stop at `budgetUsd`, which needs the model's price.
    if ((config.provider === 'anthropic' || config.provider === 'claude-code') && !findModelPrice(config.prices, config.model)) {
      const at = lane.agent?.nodes.model ?? feature?.nodes.model;
      const entry = missingPrice.get(at) ?? { model: config.model, lanes: [] };
      entry.lanes.push(lane.name);
      missingPrice.set(at, entry);
    }
  }
  for (const [at, names] of missingCommand) {
    reportProblem(
      ctx,
      at,
      `${describeLanes(names)} the \`command\` provider but no \`agent.command\` is set: add the agent command line to the feature's or the lane's \`agent\`, e.g. \`"command": "claude -p --permission-mode acceptEdits"\`.`,
    );
  }
  for (const [at, { model, lanes: names }] of missingPrice) {
    reportProblem(
      ctx,
      at,
      `No price is known for model \`${model}\` (used by ${listLanes(names)}), so its budget cannot be enforced: ` +
        `add it to \`agent.prices\`, e.g. \`"prices": { "${model}": { "input": 3, "output": 15 } }\` (dollars per million tokens).`,
    );
  }
  return configs;
}

function hasInvalidProvider(agent: AgentConfigRead | undefined): boolean {
  return agent?.nodes.provider !== undefined && agent.config.provider === undefined;
}

/** `lane \`a\`` or `lanes \`a\`, \`b\``. */
function listLanes(names: string[]): string {
  return `${names.length === 1 ? 'lane' : 'lanes'} ${names.map((n) => `\`${n}\``).join(', ')}`;
}

function describeLanes(names: string[]): string {
  const list = listLanes(names);
  return `${list[0].toUpperCase()}${list.slice(1)} ${names.length === 1 ? 'uses' : 'use'}`;
}
