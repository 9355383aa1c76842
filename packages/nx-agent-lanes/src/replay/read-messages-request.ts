import type { MessagesRequest } from './select-scripted-turn';

/**
 * Parses and checks a request body the way the API does for the fields the replay relies on,
 * so an agent loop that would be refused by the real API is refused here too.
 */
export function readMessagesRequest(options: {
  body: string;
  /** count_tokens takes no `max_tokens`. */
  requireMaxTokens: boolean;
}): { request: MessagesRequest } | { error: string } {
  let request: unknown;
  try {
    request = JSON.parse(options.body);
  } catch {
    return { error: 'The request body is not valid JSON.' };
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    return { error: 'The request body must be a JSON object.' };
  }
  const fields = request as MessagesRequest;
  if (typeof fields.model !== 'string') return { error: 'model: Field required' };
  if (!Array.isArray(fields.messages)) return { error: 'messages: Field required' };
  if (options.requireMaxTokens && typeof fields.max_tokens !== 'number') return { error: 'max_tokens: Field required' };
  return { request: fields };
}
