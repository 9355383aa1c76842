import type { ReplayScript, ScriptedBlock, ScriptedResponse, ScriptedStopReason, SessionMatch } from './script-types';
import {
  collectContentTextOf,
  collectFirstUserText,
  collectRequestText,
  countAssistantTurns,
  type MessagesRequest,
} from './select-scripted-turn';

/** One request/answer pair seen by the recording proxy (no headers: keys never get this far). */
export interface RecordedExchange {
  request: MessagesRequest;
  response: ScriptedResponse;
}

/** A conversation as the recorder grouped it, for choosing its `match`. */
export interface RecordedConversation {
  systemText: string;
  firstUserText: string;
  /** The match text of every request in the conversation. */
  texts: string[];
}

/** Chooses the match of one conversation, given the others it must not match. */
export type MatchBy = (conversation: RecordedConversation, others: RecordedConversation[]) => SessionMatch;

const STOP_REASONS = new Set(['end_turn', 'tool_use', 'max_tokens', 'pause_turn', 'refusal', 'stop_sequence']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The text, thinking and tool_use blocks of a message's content; other block kinds cannot be
 * replayed and are dropped. A thinking block keeps its signature: a client sends it back, and
 * the replay server accepts the script's own signature for it.
 */
export function toScriptedBlocks(content: unknown): ScriptedBlock[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  const blocks: ScriptedBlock[] = [];
  for (const block of content) {
    if (!isRecord(block)) continue;
    if (block.type === 'text') blocks.push({ type: 'text', text: String(block.text ?? '') });
    else if (block.type === 'thinking') {
      blocks.push({
        type: 'thinking',
        thinking: String(block.thinking ?? ''),
        ...(typeof block.signature === 'string' && block.signature !== '' ? { signature: block.signature } : {}),
      });
    } else if (block.type === 'tool_use') {
      blocks.push({ type: 'tool_use', id: block.id as string, name: String(block.name), input: block.input ?? {} });
    }
  }
  return blocks;
}

/** A finished message (JSON or assembled from a stream) as a scripted turn. */
export function toScriptedResponse(message: { content: unknown; stop_reason?: unknown; usage?: unknown }): ScriptedResponse {
  const response: ScriptedResponse = { content: toScriptedBlocks(message.content) };
  if (typeof message.stop_reason === 'string' && STOP_REASONS.has(message.stop_reason)) {
    response.stop_reason = message.stop_reason as ScriptedStopReason;
  }
  const outputTokens = isRecord(message.usage) ? message.usage.output_tokens : undefined;
  if (typeof outputTokens === 'number') response.usage = { output_tokens: outputTokens };
  return response;
}

/**
 * The default match: the first line of the first user message (then of the system prompt)
 * that appears in no other conversation, cut to 120 characters; failing that, both texts whole.
 */
export const matchByDistinctiveLine: MatchBy = (conversation, others) => {
  const seenElsewhere = (needle: string) => others.some((other) => other.texts.some((text) => text.includes(needle)));
  const candidates = [conversation.firstUserText, conversation.systemText]
    .flatMap((text) => text.split('\n'))
    .map((line) => line.trim().slice(0, 120))
    .filter((line) => line.length >= 8);
  const distinctive = candidates.find((line) => !seenElsewhere(line));
  if (distinctive) return { contains: distinctive };
  return { contains: [conversation.systemText, conversation.firstUserText].filter((t) => t !== '') };
};

interface Group {
  conversation: RecordedConversation;
  turns: Map<number, ScriptedResponse>;
  /** The request with the most history, whose assistant messages fill turns not seen answered. */
  latest: MessagesRequest;
}

/**
 * Turns recorded exchanges into a replay script: one session per conversation (same system
 * prompt and first user message), in order of first appearance; turn i is the recorded answer
 * to the request holding i assistant messages (the last one wins after a retry), or else the
 * assistant message i as a later request quoted it back.
 */
export function buildReplayScript(options: { exchanges: RecordedExchange[]; matchBy?: MatchBy }): ReplayScript {
  const groups = new Map<string, Group>();
  for (const { request, response } of options.exchanges) {
    const systemText = collectContentTextOf(request.system);
    const firstUserText = collectFirstUserText(request);
    const key = `${systemText}\u0000${firstUserText}`;
    let group = groups.get(key);
    if (!group) {
      group = { conversation: { systemText, firstUserText, texts: [] }, turns: new Map(), latest: request };
      groups.set(key, group);
    }
    group.conversation.texts.push(collectRequestText(request));
    group.turns.set(countAssistantTurns(request), response);
    if (countAssistantTurns(request) >= countAssistantTurns(group.latest)) group.latest = request;
  }
  const matchBy = options.matchBy ?? matchByDistinctiveLine;
  const all = [...groups.values()];
  return {
    sessions: all.map((group, i) => {
      const history = Array.isArray(group.latest.messages)
        ? group.latest.messages.filter((m) => isRecord(m) && m.role === 'assistant')
        : [];
      const count = Math.max(history.length, ...[...group.turns.keys()].map((t) => t + 1));
      const turns = Array.from(
        { length: count },
        (_, t) => group.turns.get(t) ?? { content: toScriptedBlocks((history[t] as Record<string, unknown>)?.content) },
      );
      return {
        name: `session-${i + 1}`,
        match: matchBy(
          group.conversation,
          all.filter((other) => other !== group).map((other) => other.conversation),
        ),
        turns,
      };
    }),
  };
}
