import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildApiError } from './build-message';
import type { SseEvent } from './plan-stream-events';
import type { FaultRule } from './script-types';
import { sendApiError, startEventStream, writeEvents } from './write-api-response';

/** The first `count` events that carry data, with the pings among them (the SDK skips pings). */
export function takeStreamEvents(events: SseEvent[], count: number): SseEvent[] {
  let left = count;
  return events.filter((event) => (event.event === 'ping' ? left > 0 : left-- > 0));
}

/**
 * Answers a request with `fault` instead of its scripted turn. `events` is the stream the turn
 * would have sent (empty for a non-streaming request). A stall is left open on purpose: only the
 * client giving up, or the server's close(), ends it.
 */
export function injectFault(options: {
  fault: FaultRule;
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  stream: boolean;
  events: SseEvent[];
}): void {
  const { fault, req, res, requestId, stream, events } = options;
  switch (fault.kind) {
    case 'rate-limit':
      return sendApiError(res, {
        status: 429,
        type: 'rate_limit_error',
        message: 'Rate limit exceeded (replayed fault).',
        requestId,
        headers: { 'retry-after': String(fault.retryAfterSeconds ?? 1) },
      });
    case 'overloaded':
      return sendApiError(res, { status: 529, type: 'overloaded_error', message: 'Overloaded (replayed fault).', requestId });
    case 'server-error':
      return sendApiError(res, { status: 500, type: 'api_error', message: 'Internal server error (replayed fault).', requestId });
    case 'reset':
      req.socket.destroy();
      return;
    case 'mid-stream-error': {
      const error = buildApiError('overloaded_error', 'Overloaded (replayed mid-stream fault).', requestId);
      startEventStream(res, requestId);
      writeEvents(res, [...takeStreamEvents(events, 1 + (fault.afterEvents ?? 0)), { event: 'error', data: error }]);
      res.end();
      return;
    }
    case 'stall':
      if (stream) {
        startEventStream(res, requestId);
        writeEvents(res, events.slice(0, 1));
      }
      return;
  }
}
