import type { TokenUsage } from '../provider';

/*
 * The lines a person watching a lane sees: one per turn, one per retry, no spinners (the output
 * goes through Nx's task runner and into CI logs, where a spinner is noise).
 */

export interface TurnLineInput {
  turn: number;
  maxTurns: number;
  /** The tool calls the model made this turn. */
  calls: Array<{ name: string; input: unknown }>;
  stopReason: string | null;
  /** This turn's usage. */
  usage: TokenUsage;
  /** The turn's thinking text (the 5.x models return the text between tool calls as thinking); an excerpt is shown. */
  thinking?: string;
  spentUsd: number;
  budgetUsd: number;
}

/**
 * `turn 3/40 · 2 tool calls (write_file apps/x.ts, run_tests) · in 1.2k (cache read 0.9k) out 340 · $0.0123 of $2.00`,
 * then ` · thinking: "Now the route…"` when the turn thought aloud.
 */
export function formatTurnLine({ turn, maxTurns, calls, stopReason, usage, spentUsd, budgetUsd, thinking }: TurnLineInput): string {
  const what =
    calls.length > 0
      ? `${calls.length} tool call${calls.length === 1 ? '' : 's'} (${calls.map(describeCall).join(', ')})`
      : `stop: ${stopReason ?? 'none'}`;
  const inTotal = usage.input + usage.cacheRead + usage.cacheWrite;
  const tokens = `in ${formatTokens(inTotal)} (cache read ${formatTokens(usage.cacheRead)}) out ${formatTokens(usage.output)}`;
  const excerpt = thinking === undefined ? '' : formatExcerpt(thinking);
  return `turn ${turn}/${maxTurns} · ${what} · ${tokens} · ${formatUsd(spentUsd)} of ${formatUsd(budgetUsd)}${excerpt ? ` · thinking: "${excerpt}"` : ''}`;
}

const EXCERPT_CHARS = 60;

/** The start of `text` on one line, at most EXCERPT_CHARS characters, cut with an ellipsis. */
function formatExcerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= EXCERPT_CHARS ? line : `${line.slice(0, EXCERPT_CHARS - 1).trimEnd()}…`;
}

export function formatRetryLine(options: { turn: number; maxTurns: number; attempt: number; maxAttempts: number; delayMs: number; reason: string }): string {
  const { turn, maxTurns, attempt, maxAttempts, delayMs, reason } = options;
  return `turn ${turn}/${maxTurns} · retry ${attempt}/${maxAttempts - 1} in ${formatDelay(delayMs)}: ${reason}`;
}

function describeCall(call: { name: string; input: unknown }): string {
  const input = call.input as { path?: unknown } | null;
  return typeof input?.path === 'string' ? `${call.name} ${input.path}` : call.name;
}

export function formatTokens(count: number): string {
  if (count < 1000) return String(count);
  if (count < 1_000_000) return `${(count / 1000).toFixed(1)}k`;
  return `${(count / 1_000_000).toFixed(1)}M`;
}

/** Cents for a dollar or more; four decimals below, since one turn often costs a fraction of a cent. */
export function formatUsd(amount: number): string {
  if (amount >= 1) return `$${amount.toFixed(2)}`;
  return `$${amount.toFixed(4).replace(/(\.\d{2})00$/, '$1')}`;
}

export function formatDelay(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

const TRANSCRIPT_STRING_LIMIT = 2000;

/**
 * A copy of `value` with long strings cut, so a transcript line stays readable (file contents,
 * test output). `redact` runs on each string before its cut: cut first, a secret straddling the
 * cut would keep its first characters, which no later redaction can recognise.
 */
export function truncateForTranscript(value: unknown, redact: (text: string) => string = (text) => text): unknown {
  if (typeof value === 'string') {
    const text = redact(value);
    return text.length <= TRANSCRIPT_STRING_LIMIT
      ? text
      : `${text.slice(0, TRANSCRIPT_STRING_LIMIT)}… [${text.length - TRANSCRIPT_STRING_LIMIT} more chars]`;
  }
  if (Array.isArray(value)) return value.map((inner) => truncateForTranscript(inner, redact));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, truncateForTranscript(inner, redact)]));
  }
  return value;
}
