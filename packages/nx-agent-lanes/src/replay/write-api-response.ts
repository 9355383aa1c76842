import type { ServerResponse } from 'node:http';
import { buildApiError, type ApiErrorType } from './build-message';
import { formatSseEvent, type SseEvent } from './plan-stream-events';

/** Thin writers for the Messages API's two response forms: JSON and server-sent events. */

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** An error in the API's shape, with its `request-id` header as the API sends it. */
export function sendApiError(
  res: ServerResponse,
  error: { status: number; type: ApiErrorType; message: string; requestId: string; headers?: Record<string, string> },
): void {
  const { status, type, message, requestId, headers } = error;
  sendJson(res, status, buildApiError(type, message, requestId), { 'request-id': requestId, ...headers });
}

export function startEventStream(res: ServerResponse, requestId: string): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'request-id': requestId,
  });
}

export function writeEvents(res: ServerResponse, events: SseEvent[]): void {
  for (const event of events) res.write(formatSseEvent(event));
}
