import type { Message, StopReason, Usage } from '@anthropic-ai/sdk/resources/messages';
import { estimateTokens, type InputUsage } from './plan-cache-usage';
import type { ScriptedBlock, ScriptedResponse } from './script-types';
import { signThinking } from './sign-thinking';

/** The API's error types this server answers with (`{ type: 'error', error: { type, message } }`). */
export type ApiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

export interface ApiErrorBody {
  type: 'error';
  error: { type: ApiErrorType; message: string };
  request_id?: string;
}

export function buildApiError(type: ApiErrorType, message: string, requestId?: string): ApiErrorBody {
  return { type: 'error', error: { type, message }, ...(requestId ? { request_id: requestId } : {}) };
}

/** Tool-use ids must match ^[a-zA-Z0-9_-]+$; session names are free text. */
function idPart(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, '_');
}

/** Characters of a scripted answer that count towards its estimated output tokens. */
function countResponseChars(turn: ScriptedResponse): number {
  return turn.content.reduce((sum, block) => sum + countBlockChars(block), 0);
}

function countBlockChars(block: ScriptedBlock): number {
  if (block.type === 'text') return block.text.length;
  if (block.type === 'thinking') return block.thinking.length;
  return block.name.length + JSON.stringify(block.input ?? {}).length;
}

/**
 * The complete Message for a scripted turn, shaped like the API's (and typed against the SDK's
 * `Message`). Ids are stable (`toolu_<session>_<turn>_<i>`), and so are generated thinking
 * signatures (see signThinking), so a replayed run is reproducible.
 */
export function buildMessage(options: {
  sessionName: string;
  turnIndex: number;
  turn: ScriptedResponse;
  model: string;
  inputUsage: InputUsage;
}): Message {
  const { sessionName, turnIndex, turn, model, inputUsage } = options;
  const prefix = `${idPart(sessionName)}_${turnIndex}`;
  const content: Message['content'] = turn.content.map((block, i): Message['content'][number] => {
    if (block.type === 'text') return { type: 'text', text: block.text, citations: null };
    if (block.type === 'thinking') {
      const signature = block.signature ?? signThinking({ model, sessionName, thinking: block.thinking });
      return { type: 'thinking', thinking: block.thinking, signature };
    }
    return { type: 'tool_use', id: block.id ?? `toolu_${prefix}_${i}`, name: block.name, input: block.input ?? {}, caller: { type: 'direct' } };
  });
  const stopReason: StopReason =
    turn.stop_reason ?? (turn.content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
  const usage: Usage = {
    ...inputUsage,
    output_tokens: turn.usage?.output_tokens ?? estimateTokens(countResponseChars(turn)),
    output_tokens_details: null,
    server_tool_use: null,
    service_tier: 'standard',
    inference_geo: null,
    speed: null,
  };
  return {
    id: `msg_replay_${prefix}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage,
  };
}
