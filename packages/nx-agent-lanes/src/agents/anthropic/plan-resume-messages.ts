import type Anthropic from '@anthropic-ai/sdk';

export interface PlanResumeMessagesOptions {
  /** The conversation saved by the blocked run (its final `state` transcript event). */
  messages: readonly Anthropic.MessageParam[];
  /** The person's answer to the blocker. */
  answer?: string;
  /** The lane's current task text: where the answer is when `answer` is not given. */
  task: string;
}

/**
 * The conversation to continue a blocked lane with. Every tool_use of the last assistant
 * message needs a tool_result in the next user message (the API rejects the request
 * otherwise): report_blocker's carries the answer; a call the blocked run did not answer gets a
 * note. Results the blocked run already gave (other tools of the same turn) are kept.
 */
export function planResumeMessages({ messages, answer, task }: PlanResumeMessagesOptions): Anthropic.MessageParam[] {
  const answerText =
    answer !== undefined
      ? `A person answered your question: ${answer}`
      : `A person answered your question; the answer is in your task, under the answers:\n\n${task}`;
  const lastAssistant = findLastIndex(messages, (m) => m.role === 'assistant');
  if (lastAssistant < 0) return [...messages, { role: 'user', content: [{ type: 'text', text: answerText }] }];
  const assistant = messages[lastAssistant];
  const blocks: readonly Anthropic.ContentBlockParam[] = typeof assistant.content === 'string' ? [] : assistant.content;
  const calls = blocks.filter((b): b is Anthropic.ToolUseBlockParam => b.type === 'tool_use');
  const following = messages[lastAssistant + 1];
  const kept: Anthropic.ContentBlockParam[] =
    following === undefined ? []
    : typeof following.content === 'string' ? [{ type: 'text', text: following.content }]
    : following.content;
  const answered = new Set(kept.flatMap((b) => (b.type === 'tool_result' ? [b.tool_use_id] : [])));
  const added: Anthropic.ContentBlockParam[] = calls
    .filter((call) => !answered.has(call.id))
    .map((call) => ({
      type: 'tool_result',
      tool_use_id: call.id,
      content: call.name === 'report_blocker' ? answerText : 'This call was not run before the lane stopped; make it again if you still need it.',
    }));
  const blockerAnswered = calls.some((call) => call.name === 'report_blocker' && !answered.has(call.id));
  // No open report_blocker call (an odd saved state): give the answer as plain text.
  const extra: Anthropic.ContentBlockParam[] = blockerAnswered ? [] : [{ type: 'text', text: answerText }];
  const results = [...kept.filter((b) => b.type === 'tool_result'), ...added];
  const rest = kept.filter((b) => b.type !== 'tool_result');
  return [...messages.slice(0, lastAssistant + 1), { role: 'user', content: [...results, ...rest, ...extra] }];
}

function findLastIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i])) return i;
  return -1;
}
