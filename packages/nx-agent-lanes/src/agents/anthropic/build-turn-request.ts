import type Anthropic from '@anthropic-ai/sdk';
import { LANE_TOOLS } from './lane-tool-definitions';

/*
 * The request of one turn, built so that almost every input token is a cache read.
 * The API caches prefixes in the order tools → system → messages, at blocks marked with
 * `cache_control`, at most 4 per request. We spend them as:
 *   1. the last tool: the tool block, identical bytes for every lane of every feature;
 *   2. the system prompt: shared by every lane of this feature (see buildLanePrompt);
 *   3. the newest user message: this turn's whole conversation, written for the next turn;
 *   4. the user message before it: last turn's breakpoint, which this turn reads from cache.
 * Keeping (4) matters because a lookup only walks back a limited number of blocks from a
 * breakpoint; a turn that adds many tool results could otherwise miss last turn's entry.
 */

const EPHEMERAL: Anthropic.CacheControlEphemeral = { type: 'ephemeral' };

/** A tool list made byte-stable for the prompt cache: build it once, the last tool carrying the breakpoint. */
export function cacheTools(tools: readonly Anthropic.Tool[]): readonly Anthropic.Tool[] {
  return Object.freeze(tools.map((tool, i) => (i === tools.length - 1 ? { ...tool, cache_control: EPHEMERAL } : tool)));
}

/** Byte-stable: the same object every turn. */
const CACHED_TOOLS = cacheTools(LANE_TOOLS);

const MESSAGE_BREAKPOINTS = 2;

export interface BuildTurnRequestOptions {
  model: string;
  maxTokens: number;
  system: string;
  /** The conversation so far, without cache_control (breakpoints are placed here, per request). */
  messages: readonly Anthropic.MessageParam[];
  /** Another tool list made by cacheTools (decompose's read-only tools); default the lane tools. */
  tools?: readonly Anthropic.Tool[];
}

/*
 * No `tool_choice` and no `thinking`. The loop needs no forced tool use (finish and report_blocker
 * end a lane, a nudge covers a turn that ends without them), and the 5.5 models reject a
 * `tool_choice` of type `tool` or `any`. Which `thinking` types a model accepts, and what it does
 * when the field is left out, depend on the model (the SDK's ThinkingConfigParam docs), so the
 * request leaves it to the model's default; whatever thinking blocks come back are sent back as
 * they came (toContentParams).
 */
export function buildTurnRequest({ model, maxTokens, system, messages, tools = CACHED_TOOLS }: BuildTurnRequestOptions): Anthropic.MessageStreamParams {
  return {
    model,
    max_tokens: maxTokens,
    system: [{ type: 'text', text: system, cache_control: EPHEMERAL }],
    tools: [...tools],
    messages: placeMessageBreakpoints(messages),
  };
}

/** A copy of `messages` with a breakpoint on the last block of each of the last two user messages. */
export function placeMessageBreakpoints(messages: readonly Anthropic.MessageParam[]): Anthropic.MessageParam[] {
  const marked = new Set<number>();
  for (let i = messages.length - 1; i >= 0 && marked.size < MESSAGE_BREAKPOINTS; i--) {
    if (messages[i].role === 'user') marked.add(i);
  }
  return messages.map((message, i) => {
    if (!marked.has(i)) return message;
    const blocks = toBlocks(message.content);
    if (blocks.length === 0) return message;
    const last = { ...blocks[blocks.length - 1], cache_control: EPHEMERAL } as Anthropic.ContentBlockParam;
    return { ...message, content: [...blocks.slice(0, -1), last] } as Anthropic.MessageParam;
  });
}

function toBlocks(content: Anthropic.MessageParam['content']): Anthropic.ContentBlockParam[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

/**
 * A response's content as request content. Text and tool_use blocks are rebuilt with only the
 * fields a request takes (so the transcript and the cache key carry no response-only fields).
 * Thinking blocks are bound to the model and the conversation: they go back in their order with
 * their type, thinking and signature exactly as received (the API refuses a changed one). A
 * thinking block without a signature (a stream cut before its `signature_delta`) could never be
 * verified, so it is left out. Any other block (server tools) goes back unchanged.
 */
export function toContentParams(content: readonly Anthropic.ContentBlock[]): Anthropic.ContentBlockParam[] {
  return content.flatMap((block): Anthropic.ContentBlockParam[] => {
    if (block.type === 'text') return [{ type: 'text', text: block.text }];
    if (block.type === 'tool_use') return [{ type: 'tool_use', id: block.id, name: block.name, input: block.input }];
    if (block.type === 'thinking') return block.signature ? [{ type: 'thinking', thinking: block.thinking, signature: block.signature }] : [];
    if (block.type === 'redacted_thinking') return [{ type: 'redacted_thinking', data: block.data }];
    return [block as unknown as Anthropic.ContentBlockParam];
  });
}
