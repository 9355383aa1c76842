import Anthropic from '@anthropic-ai/sdk';
import { buildTurnRequest, toContentParams } from '../agents/anthropic/build-turn-request';
import { formatRetryLine, formatTurnLine } from '../agents/anthropic/format-progress';
import { readTurnUsage } from '../agents/anthropic/pricing';
import { listWorktreeFiles, readWorktreeFile, searchWorktree } from '../agents/anthropic/read-tools';
import { requestTurn } from '../agents/anthropic/request-turn';
import type { ToolResult } from '../agents/anthropic/tool-result';
import { DECOMPOSE_TOOLS, PROPOSE_TOOL, readProposeInput } from './decompose-tools';
import type { Decomposer, DecomposerInput, DecomposerResult } from './decompose-types';

export interface AnthropicDecomposerDeps {
  client?: Anthropic;
  sleep?: (ms: number) => Promise<void>;
  idleTimeoutMs?: number;
}

const MAX_ATTEMPTS = 4;
const NUDGE = `You ended your turn without calling \`${PROPOSE_TOOL}\`. Read what you need, then hand in the whole plan with ${PROPOSE_TOOL}.`;

/** decompose on the Messages API: the plugin's own loop with read-only tools on the workspace's snapshot, and propose_plan. */
export function createAnthropicDecomposer(deps: AnthropicDecomposerDeps = {}): Decomposer {
  return {
    name: 'anthropic',
    howToPropose: `Call the \`${PROPOSE_TOOL}\` tool with the text of feature.jsonc, contract.md and each lane's spec. Its result is the validator's verdict.`,
    propose: (input) => proposeOnApi(input, deps),
  };
}

async function proposeOnApi(input: DecomposerInput, deps: AnthropicDecomposerDeps): Promise<DecomposerResult> {
  const { agent } = input;
  // The key is the proxy's placeholder; the proxy holds the real one.
  const client = deps.client ?? new Anthropic({ apiKey: input.env.ANTHROPIC_API_KEY, baseURL: input.env.ANTHROPIC_BASE_URL, maxRetries: 2 });
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: [{ type: 'text', text: input.task }] }];
  let nudged = false;
  for (let turn = 1; ; turn++) {
    const response = await requestTurn({
      client,
      params: buildTurnRequest({ model: agent.model, maxTokens: agent.maxTokens, system: input.system, messages, tools: DECOMPOSE_TOOLS }),
      signal: input.signal,
      idleTimeoutMs: deps.idleTimeoutMs ?? 90_000,
      maxAttempts: MAX_ATTEMPTS,
      sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      onRetry: ({ attempt, reason, delayMs }) => input.log(formatRetryLine({ turn, maxTurns: agent.maxTurns, attempt, maxAttempts: MAX_ATTEMPTS, delayMs, reason })),
    });
    if (response.kind === 'aborted') return { status: 'failed', reason: 'interrupted' };
    if (response.kind === 'failed') return { status: 'failed', reason: response.reason };
    const { message } = response;
    const content = toContentParams(message.content);
    messages.push({ role: 'assistant', content });
    const calls = content.filter((b): b is Anthropic.ToolUseBlockParam => b.type === 'tool_use');
    const meter = input.meter();
    input.log(
      formatTurnLine({
        turn: meter.turns,
        maxTurns: agent.maxTurns,
        calls: calls.map((c) => ({ name: c.name, input: c.name === PROPOSE_TOOL ? {} : c.input })),
        stopReason: message.stop_reason,
        usage: readTurnUsage(message.usage),
        spentUsd: meter.costUsd,
        budgetUsd: agent.budgetUsd,
      }),
    );
    if (message.stop_reason === 'refusal') return { status: 'failed', reason: 'the model refused to propose a plan' };
    if (message.stop_reason === 'pause_turn') continue;
    const cutOff = message.stop_reason === 'max_tokens';
    if (calls.length === 0) {
      if (cutOff) {
        messages.push({ role: 'user', content: [{ type: 'text', text: 'Your reply was cut off at the output limit (max_tokens). Continue exactly where you stopped.' }] });
        continue;
      }
      if (nudged) return { status: 'failed', reason: `the agent ended without calling ${PROPOSE_TOOL}` };
      nudged = true;
      messages.push({ role: 'user', content: [{ type: 'text', text: NUDGE }] });
      continue;
    }
    const results: Anthropic.ToolResultBlockParam[] = [];
    let stop = false;
    for (const [i, call] of calls.entries()) {
      const cut = cutOff && i === calls.length - 1;
      const result = cut
        ? { content: `Your output reached the max_tokens limit (${agent.maxTokens}) while you wrote this call, so it was cut off and not run. Shorten the specs and call it again.`, isError: true }
        : await runDecomposeTool(call, input, () => (stop = true));
      results.push({ type: 'tool_result', tool_use_id: call.id, content: result.content, ...(result.isError ? { is_error: true } : {}) });
    }
    if (stop) return { status: 'finished' };
    messages.push({ role: 'user', content: results });
  }
}

async function runDecomposeTool(call: Anthropic.ToolUseBlockParam, input: DecomposerInput, stop: () => void): Promise<ToolResult> {
  const fields = typeof call.input === 'object' && call.input !== null ? (call.input as Record<string, unknown>) : {};
  const worktree = input.readRoot;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  try {
    switch (call.name) {
      case 'read_file':
        return await readWorktreeFile({ worktree, path: String(fields.path ?? ''), offset: num(fields.offset), limit: num(fields.limit) });
      case 'list_files':
        return await listWorktreeFiles({ worktree, path: str(fields.path) ?? '.', glob: str(fields.glob) });
      case 'search':
        return await searchWorktree({ worktree, pattern: String(fields.pattern ?? ''), path: str(fields.path) ?? '.', glob: str(fields.glob) });
      case PROPOSE_TOOL: {
        const read = readProposeInput(call.input);
        if ('error' in read) return { content: read.error, isError: true };
        const review = await input.review(read.proposal);
        if (review.accepted || review.roundsLeft === 0) stop();
        return { content: review.feedback, isError: !review.accepted };
      }
      default:
        return { content: `There is no tool ${call.name}: decompose reads with read_file, list_files and search, and hands in with ${PROPOSE_TOOL}.`, isError: true };
    }
  } catch (error) {
    return { content: `${call.name} failed: ${(error as Error).message ?? String(error)}`, isError: true };
  }
}
