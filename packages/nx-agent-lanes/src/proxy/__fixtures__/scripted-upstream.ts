/**
 * Test support: an upstream whose answers a test writes by hand (timed streams, floods, echoed
 * credentials), for what the replay server does not do; and a fetch for the SDK that keeps
 * everything the client side received.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedUpstream {
  url: string;
  /** Every request received: method, URL and headers. */
  requests: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

export async function startScriptedUpstream(
  answer: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
): Promise<ScriptedUpstream> {
  const requests: ScriptedUpstream['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers });
    req.resume();
    req.on('end', () => void answer(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** One server-sent event on the wire. */
export function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function messageStart(usage: Record<string, unknown>, model = 'claude-sonnet-4-6'): string {
  return sse('message_start', {
    type: 'message_start',
    message: { id: 'msg_s', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage },
  });
}

export function textDelta(text: string, index = 0): string {
  return sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
}

export function blockStart(index = 0): string {
  return sse('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
}

export function messageEnd(outputTokens: number, index = 0): string {
  return (
    sse('content_block_stop', { type: 'content_block_stop', index }) +
    sse('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: outputTokens } }) +
    sse('message_stop', { type: 'message_stop' })
  );
}

/** A fetch for the SDK's `fetch` option that keeps every response's headers and body text as the client got them. */
export function createCapturingFetch(): { fetch: typeof fetch; received: () => Promise<string>; sentHeaders: Array<Record<string, string>> } {
  const pending: Array<Promise<string>> = [];
  const sentHeaders: Array<Record<string, string>> = [];
  const capture: typeof fetch = async (input, init) => {
    sentHeaders.push(Object.fromEntries(new Headers(init?.headers).entries()));
    const response = await fetch(input, init);
    const headers = JSON.stringify([...response.headers.entries()]);
    pending.push(response.clone().text().then((body) => `${response.status} ${headers}\n${body}`, () => headers));
    return response;
  };
  return { fetch: capture, received: async () => (await Promise.all(pending)).join('\n'), sentHeaders };
}
