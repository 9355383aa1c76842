import type { TokenUsage } from '../provider';

/**
 * The result record Claude Code prints last with `--output-format json` (or as the last line
 * of `stream-json`; with `--output-format json --verbose`, the last element of the one JSON
 * array it prints): `{"type":"result","subtype":...,"is_error":...,"total_cost_usd":...}`.
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
  /** The HTTP status of the API error that ended the run, when one did. */
  apiErrorStatus?: number;
  /** Tool uses Claude Code refused for want of permission, one line each: the tool and its path or command. */
  permissionDenials: string[];
}

/** Reads one stdout line as a Claude Code result record; anything else gives undefined. */
export function parseClaudeResult(line: string): ClaudeResultRecord | undefined {
  const text = line.trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  // `--verbose` with `--output-format json`: every message, the result record last.
  if (Array.isArray(value)) value = [...value].reverse().find((entry) => isObject(entry) && entry['type'] === 'result');
  if (!isObject(value) || value['type'] !== 'result') return undefined;
  const usage = readUsage(value['usage']);
  const denials = Array.isArray(value['permission_denials']) ? value['permission_denials'] : [];
  const status = value['api_error_status'];
  return {
    isError: value['is_error'] === true,
    subtype: typeof value['subtype'] === 'string' ? value['subtype'] : undefined,
    result: typeof value['result'] === 'string' ? value['result'] : undefined,
    turns: readCount(value['num_turns']),
    // Older Claude Code versions called the field `cost_usd`.
    costUsd: readCount(value['total_cost_usd'] ?? value['cost_usd']),
    // At --max-budget-usd the record's `usage` is all zeros while `modelUsage` has the figures.
    usage: isZero(usage) ? readModelUsage(value['modelUsage']) : usage,
    ...(typeof status === 'number' && Number.isInteger(status) ? { apiErrorStatus: status } : {}),
    permissionDenials: denials.map(describeDenial),
  };
}

/** The tool input fields that say what a refused use was about, in the order tried. */
const DENIAL_SUBJECTS = ['file_path', 'notebook_path', 'path', 'command', 'pattern', 'url'];
const MAX_DENIAL_SUBJECT = 200;

/** One `permission_denials` entry as a line: `Write: /outside/file`, `Bash: npx jest`, or the tool alone. */
function describeDenial(denial: unknown): string {
  if (!isObject(denial)) return 'a tool';
  const tool = typeof denial['tool_name'] === 'string' ? denial['tool_name'] : 'a tool';
  const input = isObject(denial['tool_input']) ? denial['tool_input'] : {};
  const field = DENIAL_SUBJECTS.find((key) => typeof input[key] === 'string' && (input[key] as string).trim() !== '');
  if (!field) return tool;
  const subject = (input[field] as string).replace(/\s+/g, ' ').trim();
  return `${tool}: ${subject.length > MAX_DENIAL_SUBJECT ? `${subject.slice(0, MAX_DENIAL_SUBJECT)}…` : subject}`;
}

function readUsage(value: unknown): TokenUsage {
  const usage = isObject(value) ? value : {};
  return {
    input: readCount(usage['input_tokens']),
    output: readCount(usage['output_tokens']),
    cacheRead: readCount(usage['cache_read_input_tokens']),
    cacheWrite: readCount(usage['cache_creation_input_tokens']),
  };
}

/** `modelUsage`: per model, `inputTokens`, `outputTokens`, `cacheReadInputTokens`, `cacheCreationInputTokens`; summed. */
function readModelUsage(value: unknown): TokenUsage {
  const total: TokenUsage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  if (!isObject(value)) return total;
  for (const entry of Object.values(value)) {
    if (!isObject(entry)) continue;
    total.input += readCount(entry['inputTokens']);
    total.output += readCount(entry['outputTokens']);
    total.cacheRead += readCount(entry['cacheReadInputTokens']);
    total.cacheWrite += readCount(entry['cacheCreationInputTokens']);
  }
  return total;
}

function isZero(usage: TokenUsage): boolean {
  return usage.input === 0 && usage.output === 0 && usage.cacheRead === 0 && usage.cacheWrite === 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readCount(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}
