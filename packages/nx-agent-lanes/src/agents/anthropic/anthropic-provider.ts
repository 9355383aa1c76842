import Anthropic from '@anthropic-ai/sdk';
import { AgentError } from '../../errors';
import { addUsage, createZeroUsage, type AgentProviderImpl, type AgentRunInput, type AgentRunResult, type LaneStatus, type TokenUsage } from '../provider';
import { buildTurnRequest, toContentParams } from './build-turn-request';
import { createRunControl } from './create-run-control';
import { formatRetryLine, formatTurnLine, formatUsd, truncateForTranscript } from './format-progress';
import type { LaneToolContext } from './lane-tools';
import { planResumeMessages } from './plan-resume-messages';
import { priceUsage, readTurnUsage } from './pricing';
import { requestTurn } from './request-turn';
import { runToolCalls } from './run-tool-calls';

/** The provider's view of its input: a resumed conversation is in the Messages API's own shape. */
export interface AnthropicRunInput extends AgentRunInput {
  /** Continue the conversation a blocked run saved (its `state` transcript event). */
  resume?: { messages: Anthropic.MessageParam[] };
}

export interface AnthropicProviderDeps {
  /** Default: built from `input.env` (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL). */
  client?: Anthropic;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** A stream silent this long is abandoned and retried. Default 90 s. */
  idleTimeoutMs?: number;
  /** Limit of one run_tests call. Default 10 minutes. */
  testTimeoutMs?: number;
}

const DEFAULT_IDLE_TIMEOUT_MS = 90_000;
const DEFAULT_TEST_TIMEOUT_MS = 10 * 60_000;
const MAX_ATTEMPTS = 4;
const NUDGE =
  'You ended your turn without calling `finish` or `report_blocker`. If your lane is done and its test passes, ' +
  'call finish with your summary; if a question blocks you, call report_blocker; otherwise go on with the tools.';
const CONTINUE = 'Your reply was cut off at the output limit (max_tokens). Continue exactly where you stopped.';

/** The plugin's own agent loop on the Messages API, whose write tools enforce the lane's ownership. */
export function createAnthropicProvider(deps: AnthropicProviderDeps = {}): AgentProviderImpl {
  return { name: 'anthropic', run: (input) => runAnthropicLane(input as AnthropicRunInput, deps) };
}

function createDefaultClient(env: NodeJS.ProcessEnv): Anthropic {
  const apiKey = env.ANTHROPIC_API_KEY;
  if (!apiKey) {
    throw new AgentError('The anthropic agent provider needs an API key, and ANTHROPIC_API_KEY is not set.', {
      hint:
        'Set ANTHROPIC_API_KEY; or run the lane with the command provider ("agent": { "provider": "command", ' +
        '"command": "claude -p" }); or point ANTHROPIC_BASE_URL at a replay server and set ANTHROPIC_API_KEY to any value.',
    });
  }
  // baseURL undefined leaves the SDK's own default; maxRetries 2 is the SDK's, stated so it is not lost.
  return new Anthropic({ apiKey, baseURL: env.ANTHROPIC_BASE_URL || undefined, maxRetries: 2 });
}

interface LoopState {
  messages: Anthropic.MessageParam[];
  turns: number;
  usage: TokenUsage;
  costUsd: number;
  nudged: boolean;
  lastText?: string;
}

async function runAnthropicLane(input: AnthropicRunInput, deps: AnthropicProviderDeps): Promise<AgentRunResult> {
  const { agent } = input;
  priceUsage(agent.model, createZeroUsage(), agent.prices); // an unpriced model fails before any request
  const client = deps.client ?? createDefaultClient(input.env);
  const control = createRunControl({ signal: input.signal, limitMs: agent.timeoutMinutes * 60_000, now: deps.now ?? Date.now });
  const { onBlocker } = input;
  // The proxy counts a resumed lane's earlier turns against maxTurns: the progress lines count them too.
  const before = input.spentBefore ?? { turns: 0, costUsd: 0 };
  const askPerson = (question: string) => (onBlocker ? control.pauseFor(() => onBlocker(question)) : Promise.resolve(undefined));

  const state: LoopState = {
    messages: input.resume?.messages.length
      ? planResumeMessages({ messages: input.resume.messages, answer: input.answer, task: input.prompt.task })
      : [{ role: 'user', content: [{ type: 'text', text: input.prompt.task }] }],
    turns: 0,
    usage: createZeroUsage(),
    costUsd: 0,
    nudged: false,
  };
  const end = (status: LaneStatus, extra: { reason?: string; question?: string; summary?: string } = {}): AgentRunResult => {
    const result = { status, ...extra, turns: state.turns, usage: { ...state.usage }, costUsd: state.costUsd };
    input.log(`${status}${extra.reason ? `: ${extra.reason}` : ''} · ${state.turns} turns · ${formatUsd(state.costUsd)}`);
    return result;
  };
  const endStopped = () =>
    control.stopCause() === 'timed-out'
      ? end('failed', { reason: `timed out after ${agent.timeoutMinutes} min (agent.timeoutMinutes)` })
      : end('failed', { reason: 'interrupted' });
  const tools: LaneToolContext = {
    worktree: input.worktree,
    lane: input.lane,
    ownership: input.ownership,
    testCommand: input.testCommand,
    env: input.testEnv,
    signal: control.signal,
    testTimeoutMs: deps.testTimeoutMs ?? DEFAULT_TEST_TIMEOUT_MS,
    redactText: input.redact,
    runProcess: input.runProcess,
  };

  try {
    for (;;) {
      if (control.checkDeadline()) return endStopped();
      if (state.costUsd >= agent.budgetUsd) {
        return end('over-budget', {
          reason: `spent ${formatUsd(state.costUsd)} of the ${formatUsd(agent.budgetUsd)} budget (agent.budgetUsd) in ${state.turns} turns`,
        });
      }
      if (state.turns >= agent.maxTurns) {
        return end('over-budget', { reason: `reached the limit of ${agent.maxTurns} turns (agent.maxTurns)` });
      }
      const turn = ++state.turns;
      input.transcript({ type: 'request', turn });
      const response = await requestTurn({
        client,
        params: buildTurnRequest({ model: agent.model, maxTokens: agent.maxTokens, system: input.prompt.system, messages: state.messages }),
        signal: control.signal,
        idleTimeoutMs: deps.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
        maxAttempts: MAX_ATTEMPTS,
        sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
        onRetry: ({ attempt, reason, delayMs }) => {
          input.log(formatRetryLine({ turn: before.turns + turn, maxTurns: agent.maxTurns, attempt, maxAttempts: MAX_ATTEMPTS, delayMs, reason }));
          input.transcript({ type: 'retry', turn, attempt, reason, delayMs });
        },
      });
      if (response.kind === 'aborted') return endStopped();
      if (response.kind === 'failed') return end('failed', { reason: response.reason });

      const { message } = response;
      const turnUsage = readTurnUsage(message.usage);
      state.usage = addUsage(state.usage, turnUsage);
      state.costUsd += priceUsage(agent.model, turnUsage, agent.prices);
      const content = toContentParams(message.content);
      state.messages.push({ role: 'assistant', content });
      // Only text blocks can be a summary: thinking is the model's own working, not its report.
      const text = message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n').trim();
      if (text) state.lastText = text;
      const thinking = message.content.flatMap((b) => (b.type === 'thinking' ? [b.thinking] : [])).join('\n').trim();
      const calls = content.filter((b): b is Anthropic.ToolUseBlockParam => b.type === 'tool_use');
      input.transcript({ type: 'response', turn, stop_reason: message.stop_reason, usage: message.usage, content: truncateForTranscript(content, input.redact) });
      input.log(
        formatTurnLine({
          turn: before.turns + turn,
          maxTurns: agent.maxTurns,
          calls,
          stopReason: message.stop_reason,
          usage: turnUsage,
          spentUsd: before.costUsd + state.costUsd,
          budgetUsd: agent.budgetUsd,
          ...(thinking ? { thinking: input.redact?.(thinking) ?? thinking } : {}),
        }),
      );

      switch (message.stop_reason) {
        case 'refusal': {
          const why = message.stop_details?.explanation ?? (text || 'no explanation given');
          return end('failed', { reason: `the model refused: ${why}` });
        }
        case 'model_context_window_exceeded':
          return end('failed', { reason: "the conversation outgrew the model's context window" });
        case 'pause_turn':
          // The API paused a long turn: sending its content back as-is lets the model carry on.
          continue;
      }

      const cutOff = message.stop_reason === 'max_tokens';
      const last = content[content.length - 1];
      const cutId = cutOff && last?.type === 'tool_use' ? last.id : undefined;
      if (calls.length > 0) {
        const outcome = await runToolCalls({ calls, cutId, maxTokens: agent.maxTokens, context: tools, turn, transcript: input.transcript });
        if (control.signal.aborted) return endStopped();
        const results: Anthropic.ContentBlockParam[] = [...outcome.results];
        if (outcome.blocker) {
          const { question, id, index } = outcome.blocker;
          const answer = await askPerson(question);
          if (control.signal.aborted) return endStopped();
          if (answer === undefined) {
            // Saved without the blocker's result: planResumeMessages adds it, with the answer, on resume.
            if (results.length > 0) state.messages.push({ role: 'user', content: results });
            return end('blocked', { question });
          }
          input.log(`turn ${before.turns + turn}/${agent.maxTurns} · blocker answered: ${answer}`);
          results.splice(index, 0, { type: 'tool_result', tool_use_id: id, content: `A person answered your question: ${answer}` });
        } else if (outcome.finish) {
          state.messages.push({ role: 'user', content: results });
          return end('done', { summary: outcome.finish.summary || state.lastText });
        }
        if (cutOff && !cutId) results.push({ type: 'text', text: CONTINUE });
        state.messages.push({ role: 'user', content: results });
        continue;
      }
      if (cutOff) {
        state.messages.push({ role: 'user', content: [{ type: 'text', text: CONTINUE }] });
        continue;
      }
      // end_turn (or stop_sequence) without finish: one nudge, then take the last text as the summary.
      if (state.nudged) return end('done', { summary: state.lastText });
      state.nudged = true;
      state.messages.push({ role: 'user', content: [{ type: 'text', text: NUDGE }] });
    }
  } finally {
    control.dispose();
    input.transcript({ type: 'state', messages: state.messages });
  }
}
