import { createHash } from 'node:crypto';
import type { ScriptedSession } from './script-types';

/*
 * The API binds a thinking block to the model and the conversation that produced it: a request
 * that sends one back changed, or to another model, is refused (400 invalid_request_error). The
 * replay server does the same, statelessly: a generated signature is a hash of the model, the
 * session and the thinking text, so it can be checked again on any later request.
 */

/** The signature the replay server gives a scripted thinking block that has none. */
export function signThinking(options: { model: string; sessionName: string; thinking: string }): string {
  const digest = createHash('sha256').update(`${options.model}\u0000${options.sessionName}\u0000${options.thinking}`).digest('base64');
  return `replay-${digest}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Signatures written in the session's script (a recorded session keeps the API's own), by thinking text. */
function scriptedSignatures(session: ScriptedSession): Map<string, Set<string>> {
  const byText = new Map<string, Set<string>>();
  for (const turn of session.turns) {
    for (const block of turn.content) {
      if (block.type !== 'thinking' || block.signature === undefined) continue;
      byText.set(block.thinking, (byText.get(block.thinking) ?? new Set()).add(block.signature));
    }
  }
  return byText;
}

/**
 * The first thinking block of the request's assistant messages that this session and model did
 * not produce as sent (text or signature changed, signature dropped, another model), as the
 * API's error message names it; undefined when every one is intact.
 */
export function findAlteredThinking(options: { messages: unknown; model: string; session: ScriptedSession }): string | undefined {
  const { messages, model, session } = options;
  if (!Array.isArray(messages)) return undefined;
  const scripted = scriptedSignatures(session);
  for (const [m, message] of messages.entries()) {
    if (!isRecord(message) || message.role !== 'assistant' || !Array.isArray(message.content)) continue;
    for (const [b, block] of message.content.entries()) {
      if (!isRecord(block) || block.type !== 'thinking') continue;
      const thinking = typeof block.thinking === 'string' ? block.thinking : undefined;
      const signature = block.signature;
      const intact =
        thinking !== undefined &&
        typeof signature === 'string' &&
        (signature === signThinking({ model, sessionName: session.name, thinking }) || scripted.get(thinking)?.has(signature) === true);
      if (!intact) return `messages.${m}.content.${b}: Invalid \`signature\` in \`thinking\` block`;
    }
  }
  return undefined;
}

