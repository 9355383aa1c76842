import type { IncomingMessage } from 'node:http';

/** The Messages API refuses requests over 32 MB; the proxy holds one request body at most this large. */
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

/**
 * Reads a request body whole, or resolves undefined once it passes `maxBytes` (the rest is
 * discarded) or the client goes away. Read before a request waits for its lane: node notices a
 * client that gave up only while it reads the socket, and a waiting request must not stay
 * queued, then be sent and paid for, after its client left.
 */
export function readRequestBody(req: IncomingMessage, maxBytes = MAX_REQUEST_BYTES): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () => resolve(bytes <= maxBytes ? Buffer.concat(chunks, bytes) : undefined));
    // Node 20 ends a request whose client left mid-body with 'close' alone, no 'error' or 'end'.
    req.on('close', () => resolve(req.complete && bytes <= maxBytes ? Buffer.concat(chunks, bytes) : undefined));
    req.on('error', () => resolve(undefined));
  });
}
