import type { ReplayScript, ScriptedResponse, ScriptedSession, SessionMatch } from './script-types';

/** The parts of a Messages API request body the replay server reads. Everything else is ignored. */
export interface MessagesRequest {
  model?: unknown;
  max_tokens?: unknown;
  stream?: unknown;
  system?: unknown;
  tools?: unknown;
  messages?: unknown;
  cache_control?: unknown;
}

export type TurnSelection =
  | { kind: 'turn'; session: ScriptedSession; turnIndex: number; turn: ScriptedResponse }
  | { kind: 'unmatched'; turnIndex: number; message: string };

function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Readable text of one message content (a string or blocks): text, thinking, tool calls, tool results. */
function collectContentText(content: unknown, out: string[]): void {
  if (typeof content === 'string') {
    out.push(content);
    return;
  }
  if (!Array.isArray(content)) return;
  for (const block of content) {
    if (!isRecord(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') out.push(block.text);
    else if (block.type === 'thinking' && typeof block.thinking === 'string') out.push(block.thinking);
    else if (block.type === 'tool_use') out.push(`${String(block.name)} ${JSON.stringify(block.input)}`);
    else if (block.type === 'tool_result') collectContentText(block.content, out);
    else out.push(JSON.stringify(block));
  }
}

/** Readable text of a system prompt or message content, lines joined. */
export function collectContentTextOf(content: unknown): string {
  const out: string[] = [];
  collectContentText(content, out);
  return out.join('\n');
}

/** The text a session's `match` is tested against: the system prompt, then every message. */
export function collectRequestText(request: MessagesRequest): string {
  const out: string[] = [];
  collectContentText(request.system, out);
  if (Array.isArray(request.messages)) {
    for (const message of request.messages) if (isRecord(message)) collectContentText(message.content, out);
  }
  return out.join('\n');
}

/** The text of the first user message (recording groups exchanges into sessions by it). */
export function collectFirstUserText(request: MessagesRequest): string {
  const first = Array.isArray(request.messages)
    ? request.messages.find((m) => isRecord(m) && m.role === 'user')
    : undefined;
  return isRecord(first) ? collectContentTextOf(first.content) : '';
}

/** The turn a request asks for: how many assistant turns the conversation already holds. */
export function countAssistantTurns(request: MessagesRequest): number {
  if (!Array.isArray(request.messages)) return 0;
  return request.messages.filter((m) => isRecord(m) && m.role === 'assistant').length;
}

export function matchesSession(match: SessionMatch, text: string): boolean {
  return (
    asList(match.contains).every((needle) => text.includes(needle)) &&
    !asList(match.notContains).some((needle) => text.includes(needle))
  );
}

/**
 * Picks the scripted answer for a request: the first session whose match holds, at the turn
 * index given by the request's assistant messages. Stateless on purpose: a retried
 * request or a parallel lane gets the same answer without the server tracking conversations.
 */
export function selectScriptedTurn(options: { script: ReplayScript; request: MessagesRequest }): TurnSelection {
  const { script, request } = options;
  const text = collectRequestText(request);
  const turnIndex = countAssistantTurns(request);
  const names = script.sessions.map((s) => `'${s.name}'`).join(', ') || '(none)';
  const session = script.sessions.find((s) => matchesSession(s.match, text));
  if (!session) {
    return {
      kind: 'unmatched',
      turnIndex,
      message:
        `No replay session matches this request (turn index ${turnIndex}). Sessions: ${names}. ` +
        'A session answers when all of its match.contains strings and none of its match.notContains strings ' +
        'appear in the system prompt or the messages.',
    };
  }
  const turn = session.turns[turnIndex];
  if (!turn) {
    return {
      kind: 'unmatched',
      turnIndex,
      message:
        `Replay session '${session.name}' has ${session.turns.length} scripted turn(s), but this request asks for ` +
        `turn index ${turnIndex} (0-based: the request already holds ${turnIndex} assistant message(s)). ` +
        `Sessions: ${names}.`,
    };
  }
  return { kind: 'turn', session, turnIndex, turn };
}
