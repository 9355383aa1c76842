import type { TokenUsage } from '../provider';

/**
 * The result record Claude Code prints last with `--output-format json` (or as the last line
 * of `stream-json`): `{"type":"result","subtype":...,"is_error":...,"total_cost_usd":...}`.
 * Its exit code alone does not say whether the run failed; this record does.
 */
export interface ClaudeResultRecord {
  isError: boolean;
  /** `success`, `error_max_turns`, `error_max_budget_usd`, `error_during_execution`, ... */
  subtype?: string;
  /** The final text: the agent's summary on success, often the error otherwise. */
  result?: string;
  turns: number;
  costUsd: number;
  usage: TokenUsage;
}

/** Reads one stdout line as a Claude Code result record; anything else gives undefined. */
export function parseClaudeResult(line: string): ClaudeResultRecord | undefined {
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(value) || value['type'] !== 'result') return undefined;
  const usage = isObject(value['usage']) ? value['usage'] : {};
  return {
    isError: value['is_error'] === true,
    subtype: typeof value['subtype'] === 'string' ? value['subtype'] : undefined,
    result: typeof value['result'] === 'string' ? value['result'] : undefined,
    turns: readCount(value['num_turns']),
    // Older Claude Code versions called the field `cost_usd`.
    costUsd: readCount(value['total_cost_usd'] ?? value['cost_usd']),
    usage: {
      input: readCount(usage['input_tokens']),
      output: readCount(usage['output_tokens']),
      cacheRead: readCount(usage['cache_read_input_tokens']),
      cacheWrite: readCount(usage['cache_creation_input_tokens']),
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readCount(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}
