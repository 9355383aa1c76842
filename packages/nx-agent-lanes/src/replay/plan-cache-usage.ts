import { createHash } from 'node:crypto';
import type { MessagesRequest } from './select-scripted-turn';

/** Input-side usage of one request, split the way the Messages API reports it. */
export interface InputUsage {
  /** Tokens neither read from nor written to the cache. */
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  /** `cache_creation_input_tokens` by time-to-live, as in the API's `usage.cache_creation`. */
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

export interface CachePlan {
  usage: InputUsage;
  /** All input tokens, cached or not (what count_tokens answers). */
  totalTokens: number;
  /** Prefixes to remember once the answer is served: hash → tokens. */
  writes: Array<[string, number]>;
  /** Set when the request breaks a caching rule the real API enforces. */
  error?: string;
}

/** The API allows at most this many `cache_control` breakpoints per request. */
export const MAX_CACHE_BREAKPOINTS = 4;

interface Segment {
  text: string;
  breakpoint?: '5m' | '1h';
}

/** A rough, stable token estimate; the replay server does not ship a tokenizer. */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ttlOf(cacheControl: unknown): '5m' | '1h' | undefined {
  if (!isRecord(cacheControl)) return undefined;
  return cacheControl.ttl === '1h' ? '1h' : '5m';
}

/** A block as text without its `cache_control`, so moving a breakpoint does not change the prefix. */
function segmentOf(prefix: string, block: unknown): Segment {
  if (!isRecord(block)) return { text: prefix + JSON.stringify(block) };
  const { cache_control, ...rest } = block;
  return { text: prefix + JSON.stringify(rest), breakpoint: ttlOf(cache_control) };
}

/** The request as an ordered list of cacheable blocks, in the API's cache order: tools, system, messages. */
function listSegments(request: MessagesRequest): Segment[] {
  const segments: Segment[] = [];
  if (Array.isArray(request.tools)) for (const tool of request.tools) segments.push(segmentOf('tool:', tool));
  // A string is shorthand for one text block; the API caches both forms alike.
  const asBlocks = (content: unknown) => (typeof content === 'string' ? [{ type: 'text', text: content }] : content);
  const system = asBlocks(request.system);
  if (Array.isArray(system)) for (const block of system) segments.push(segmentOf('system:', block));
  if (Array.isArray(request.messages)) {
    for (const message of request.messages) {
      if (!isRecord(message)) continue;
      const role = `${String(message.role)}:`;
      const content = asBlocks(message.content);
      if (Array.isArray(content)) for (const block of content) segments.push(segmentOf(role, block));
      else segments.push({ text: role + JSON.stringify(content) });
    }
  }
  // Top-level cache_control ("automatic caching") puts a breakpoint on the last cacheable block.
  const automatic = ttlOf(request.cache_control);
  const last = segments[segments.length - 1];
  if (automatic && last) last.breakpoint = last.breakpoint ?? automatic;
  return segments;
}

/**
 * Prompt-cache accounting modelled on the Messages API: each breakpoint whose prefix reaches
 * `minCacheableTokens` is cacheable (below it, caching silently does nothing, as in the API);
 * the longest prefix already `known` is a cache read, the rest up to the last cacheable
 * breakpoint is a cache write, and `input_tokens` is what remains. Pure: the caller commits
 * `writes` to `known` once it has served the answer. The model is part of the key, as caches are per model.
 */
export function planCacheUsage(options: {
  request: MessagesRequest;
  known: ReadonlyMap<string, number>;
  minCacheableTokens: number;
}): CachePlan {
  const { request, known, minCacheableTokens } = options;
  const segments = listSegments(request);
  const hash = createHash('sha256').update(`model:${String(request.model)}\u0000`);
  const cacheable: Array<{ key: string; tokens: number; ttl: '5m' | '1h' }> = [];
  let chars = 0;
  let breakpoints = 0;
  for (const segment of segments) {
    hash.update(segment.text + '\u0000');
    chars += segment.text.length;
    if (!segment.breakpoint) continue;
    breakpoints++;
    const tokens = estimateTokens(chars);
    if (tokens >= minCacheableTokens) {
      cacheable.push({ key: hash.copy().digest('hex'), tokens, ttl: segment.breakpoint });
    }
  }
  const totalTokens = estimateTokens(chars);
  const creation = { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 };
  const none: InputUsage = {
    input_tokens: totalTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: creation,
  };
  if (breakpoints > MAX_CACHE_BREAKPOINTS) {
    return {
      usage: none,
      totalTokens,
      writes: [],
      error: `A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. Found ${breakpoints}.`,
    };
  }
  let lastKnown = -1;
  cacheable.forEach((entry, i) => {
    if (known.has(entry.key)) lastKnown = i;
  });
  const read = lastKnown >= 0 ? cacheable[lastKnown].tokens : 0;
  let covered = read;
  for (const entry of cacheable.slice(lastKnown + 1)) {
    const written = entry.tokens - covered;
    if (entry.ttl === '1h') creation.ephemeral_1h_input_tokens += written;
    else creation.ephemeral_5m_input_tokens += written;
    covered = entry.tokens;
  }
  const written = covered - read;
  return {
    usage: {
      input_tokens: totalTokens - covered,
      cache_creation_input_tokens: written,
      cache_read_input_tokens: read,
      cache_creation: creation,
    },
    totalTokens,
    writes: cacheable.map((entry) => [entry.key, entry.tokens]),
  };
}
