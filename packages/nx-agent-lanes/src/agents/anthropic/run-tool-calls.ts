import type Anthropic from '@anthropic-ai/sdk';
import { truncateForTranscript } from './format-progress';
import { runLaneTool, type LaneToolContext } from './lane-tools';

export interface RunToolCallsOptions {
  calls: readonly Anthropic.ToolUseBlockParam[];
  /** The call that `max_tokens` cut off mid-input: answered with an error, never run. */
  cutId?: string;
  maxTokens: number;
  context: LaneToolContext;
  turn: number;
  transcript: (event: Record<string, unknown>) => void;
}

export interface ToolCallsOutcome {
  /** One result per call, in call order, except the blocker's (which needs a person's answer). */
  results: Anthropic.ToolResultBlockParam[];
  /** Where the blocker's result belongs in `results`. */
  blocker?: { id: string; question: string; index: number };
  finish?: { summary: string };
}

/** Runs the calls of one assistant turn, one after another (their order matters: write, then test). */
export async function runToolCalls(options: RunToolCallsOptions): Promise<ToolCallsOutcome> {
  const { calls, cutId, context, turn, transcript } = options;
  const outcome: ToolCallsOutcome = { results: [] };
  const reply = (call: Anthropic.ToolUseBlockParam, content: string, isError: boolean) => {
    outcome.results.push({ type: 'tool_result', tool_use_id: call.id, content, ...(isError ? { is_error: true } : {}) });
    transcript({ type: 'tool_result', turn, id: call.id, name: call.name, is_error: isError, content: truncateForTranscript(content, context.redactText) });
  };
  for (const call of calls) {
    transcript({ type: 'tool_call', turn, id: call.id, name: call.name, input: truncateForTranscript(call.input, context.redactText) });
    if (call.id === cutId) {
      reply(
        call,
        `Your output reached the max_tokens limit (${options.maxTokens}) while you were writing this ${call.name} call, ` +
          'so its input was cut off and it was not run. Write smaller pieces: split a big file into a short ' +
          'write_file followed by several edit_file calls, each well under the limit.',
        true,
      );
      continue;
    }
    if (context.signal.aborted) {
      reply(call, 'Not run: the lane was stopped.', true);
      continue;
    }
    const result = await runLaneTool({ name: call.name, input: call.input }, context);
    if (result.kind === 'result') {
      reply(call, result.result.content, result.result.isError);
    } else if (result.kind === 'finish') {
      outcome.finish = { summary: result.summary };
      reply(call, 'Finished.', false);
    } else if (outcome.blocker) {
      reply(call, 'Only one blocker at a time: this question was not passed on. Ask it again once the first is answered.', true);
    } else {
      outcome.blocker = { id: call.id, question: result.question, index: outcome.results.length };
      transcript({ type: 'blocker', turn, id: call.id, question: result.question });
    }
  }
  return outcome;
}
