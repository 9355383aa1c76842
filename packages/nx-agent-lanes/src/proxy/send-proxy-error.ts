import type { ServerResponse } from 'node:http';

/** The API's error types the proxy answers with itself. */
export type ProxyErrorType = 'invalid_request_error' | 'not_found_error' | 'request_too_large' | 'api_error';

/**
 * The HTTP status of a lane stopped by its budget or turn limit. A stop must not be a status that
 * clients retry: @anthropic-ai/sdk 1.13 retries 408, 409, 429 and >= 500 (2 retries by default),
 * this plugin's anthropic provider retries the same set itself, ignoring `x-should-retry`, and each
 * retry would be refused again while the agent waits out backoff. 400 is retried by none of them,
 * and Claude Code 2.1.197 reports it as `API Error: 400 <message>`, `is_error: true`,
 * `api_error_status: 400`, after one request; 403 it prefixes with "Failed to authenticate.", which
 * would mislead a person.
 */
export const LANE_STOP_STATUS = 400;

/** Names why the proxy itself answered, so a caller holding the response can tell a stop from an API refusal. */
export const STOP_HEADER = 'x-nx-agent-lanes-stop';

let errorCount = 0;

/**
 * An error in the Messages API's shape (`{"type":"error","error":{type,message}}` with a
 * `request-id`), as the SDK parses it into an APIError. Unless `retryable`, it carries
 * `x-should-retry: false`, which the SDK and Claude Code obey before looking at the status.
 */
export function sendProxyError(
  res: ServerResponse,
  error: { status: number; type: ProxyErrorType; message: string; stop?: string; retryable?: boolean },
): void {
  const requestId = `req_nx_agent_lanes_${++errorCount}`;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(error.status, {
    'content-type': 'application/json',
    'request-id': requestId,
    ...(error.retryable ? {} : { 'x-should-retry': 'false' }),
    ...(error.stop ? { [STOP_HEADER]: error.stop } : {}),
  });
  res.end(JSON.stringify({ type: 'error', error: { type: error.type, message: error.message }, request_id: requestId }));
}
