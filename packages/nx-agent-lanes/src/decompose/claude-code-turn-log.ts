import type { SDKAssistantMessage } from '@anthropic-ai/claude-agent-sdk';
import { formatTurnLine } from '../agents/anthropic/format-progress';
import { describeToolTarget } from '../agents/claude-code/claude-code-provider';
import { readApiUsage } from '../proxy/price-api-usage';
import { CLAUDE_PROPOSE_TOOL } from './claude-code-propose-tool';
import type { DecomposerInput } from './decompose-types';

/**
 * One progress line per model turn of a decompose session, numbered and priced by the metering
 * proxy as the anthropic decomposer's are. Claude Code hands one API response over as several
 * messages, one per content block: the first gets the full line, a later one with tool calls a
 * short one. A proposal's text is never printed.
 */
export function createTurnLogger(input: Pick<DecomposerInput, 'agent' | 'log' | 'meter'>): (message: SDKAssistantMessage) => void {
  const seen = new Set<string>();
  return (message) => {
    const body = message.message;
    const first = !seen.has(body.id);
    seen.add(body.id);
    const calls = body.content
      .filter((block) => block.type === 'tool_use')
      .map((block) => ({ name: block.name, input: { path: block.name === CLAUDE_PROPOSE_TOOL ? undefined : describeToolTarget(block.input) || undefined } }));
    const meter = input.meter();
    const turn = Math.max(meter.turns, seen.size);
    const { maxTurns, budgetUsd } = input.agent;
    if (!first) {
      if (calls.length) input.log(`turn ${turn}/${maxTurns} · ${calls.map((c) => (c.input.path ? `${c.name} ${c.input.path}` : c.name)).join(', ')}`);
      return;
    }
    input.log(formatTurnLine({ turn, maxTurns, calls, stopReason: body.stop_reason ?? 'end_turn', usage: readApiUsage(body.usage), spentUsd: meter.costUsd, budgetUsd }));
  };
}
