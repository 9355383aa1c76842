import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addUsage, createZeroUsage, roundUsd, type TokenUsage } from '../agents/provider';
import type { LaneAttempt, LaneResult } from './lane-result';

/**
 * The transcript event run-lane writes after each answered Messages API request: the metering
 * proxy's running figures for this attempt, so a run killed with -9 still says what it spent.
 */
export const METER_EVENT = 'meter';

/** The attempts a result.json records; one made from its top-level figures when it predates `attempts`. */
export function listLaneAttempts(result: LaneResult | undefined): LaneAttempt[] {
  if (!result) return [];
  if (Array.isArray(result.attempts)) return result.attempts;
  return [
    {
      outcome: result.status,
      startedFrom: result.startedFrom,
      startedAt: result.startedAt,
      endedAt: result.endedAt,
      durationMs: result.durationMs,
      turns: result.turns,
      tokens: result.tokens,
      costUsd: result.costUsd,
      usageSource: result.usageSource ?? (result.turns > 0 || result.costUsd > 0 ? 'agent' : 'none'),
      agentRuns: result.agentRuns,
    },
  ];
}

/** Whether an attempt's figures are known: `none` means the agent reported nothing and no request reached the proxy. */
export function isAttemptUsageKnown(attempt: Pick<LaneAttempt, 'usageSource'>): boolean {
  return attempt.usageSource !== 'none';
}

/** Attempts' figures added up; `unknown` counts the attempts whose figures nobody knows. */
export function sumLaneAttempts(attempts: readonly LaneAttempt[]): { turns: number; tokens: TokenUsage; costUsd: number; unknown: number } {
  let tokens = createZeroUsage();
  let turns = 0;
  let costUsd = 0;
  let unknown = 0;
  for (const a of attempts) {
    if (!isAttemptUsageKnown(a)) unknown++;
    turns += a.turns;
    costUsd += a.costUsd;
    tokens = addUsage(tokens, a.tokens);
  }
  return { turns, tokens, costUsd: roundUsd(costUsd), unknown };
}

/**
 * What a killed run's transcript says about it: its first and last event times, how it started,
 * and the last meter event's figures. With no meter event, nothing is known about its spend
 * (`usageSource: none`), which is not the same as nothing spent.
 */
export function readKilledAttempt(transcript: string, file: string): LaneAttempt {
  let first: string | undefined;
  let last: string | undefined;
  let startedFrom: LaneAttempt['startedFrom'] = 'fresh';
  let meter: { turns: number; costUsd: number; tokens: TokenUsage } | undefined;
  let agentRuns = 0;
  for (const line of transcript.split('\n')) {
    if (!line.trim()) continue;
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(line) as Record<string, unknown>;
    } catch {
      // The line the kill tore: the ones before it still count.
      continue;
    }
    if (typeof event.t === 'string') {
      first ??= event.t;
      last = event.t;
    }
    if (event.type === 'run-start') {
      agentRuns++;
      if (event.startedFrom === 'resumed-transcript' || event.startedFrom === 'previous-patch') startedFrom = event.startedFrom;
    }
    if (event.type === METER_EVENT && typeof event.turns === 'number' && typeof event.costUsd === 'number') {
      meter = { turns: event.turns, costUsd: event.costUsd, tokens: { ...createZeroUsage(), ...(event.tokens as Partial<TokenUsage> | undefined) } };
    }
  }
  const startedAt = first ?? new Date(0).toISOString();
  const endedAt = last ?? startedAt;
  return {
    outcome: 'killed',
    startedFrom,
    startedAt,
    endedAt,
    durationMs: Math.max(0, Date.parse(endedAt) - Date.parse(startedAt)),
    turns: meter?.turns ?? 0,
    tokens: meter?.tokens ?? createZeroUsage(),
    costUsd: meter?.costUsd ?? 0,
    usageSource: meter ? 'proxy' : 'none',
    ...(agentRuns ? { agentRuns } : {}),
    rescued: file,
  };
}

/** Killed runs' transcripts in `rescuedDir` that `known` attempts do not already record, as attempts. */
export function readRescuedAttempts(rescuedDir: string, known: readonly LaneAttempt[]): LaneAttempt[] {
  if (!existsSync(rescuedDir)) return [];
  const recorded = new Set(known.flatMap((a) => (a.rescued ? [a.rescued] : [])));
  return readdirSync(rescuedDir)
    .filter((name) => name.endsWith('.jsonl') && !recorded.has(name))
    .sort()
    .map((name) => readKilledAttempt(readFileSync(join(rescuedDir, name), 'utf8'), name));
}

/**
 * The previous result.json's attempts, then the killed runs found since (each transcript is newer
 * than that result.json, or it would not have been rescued), then this run's.
 */
export function appendLaneAttempt(earlier: readonly LaneAttempt[], rescued: readonly LaneAttempt[], attempt: LaneAttempt): LaneAttempt[] {
  return [...earlier, ...rescued, attempt];
}
