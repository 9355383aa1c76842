/** Pure sentences about a run and its lanes that both renderers print the same way. */
import type { LaneAttempt } from '../layout';
import { computeSpeedup, formatCost, formatCount, formatDuration, formatKnown, formatSpeedup, formatTokens } from './format-figures';
import type { IntegrationOutcome, LaneReport, ReportRun, ReviewReport } from './review-report';

const OUTCOME_WORDS: Record<IntegrationOutcome, string> = {
  green: 'GREEN',
  conflict: 'RED: conflict',
  'integration-test-failed': 'RED: integration test failed',
  'lanes-not-ready': 'RED: lanes not ready',
};

/** The status word of the title: `GREEN`, or `RED: <why>`. No emoji, so it reads in a terminal and in print. */
export function describeOutcome(outcome: IntegrationOutcome): string {
  return OUTCOME_WORDS[outcome];
}

/** Done, tests passed, ownership respected: the only state in which a lane can be merged. */
export function isLaneGreen(lane: LaneReport): boolean {
  return lane.status === 'done' && lane.tests.passed && lane.ownership.ok;
}

/** What the reviewer should do about a lane, in two or three words (the table's "review" column). */
export function describeLaneVerdict(lane: LaneReport): string {
  if (lane.status === 'blocked') return 'blocked: answer it';
  if (lane.status === 'failed') return 'agent failed';
  if (lane.status === 'over-budget') return 'over budget';
  if (!lane.ownership.ok) return 'outside its files';
  if (!lane.tests.passed) return 'tests red';
  return lane.risky ? 'review the diff' : 'trust the suite';
}

/** The tests cell: `passed`, `failed (exit 1)`, or `not run` when verify never got to them. */
export function describeLaneTests(lane: LaneReport): string {
  if (lane.tests.passed) return 'passed';
  if (lane.tests.exitCode !== undefined) return `failed (exit ${lane.tests.exitCode})`;
  return lane.status === 'done' ? 'failed' : 'not run';
}

/** The one line a trusted lane gets instead of a diff. */
export function describeTrustedLane(lane: LaneReport): string {
  const files = `${lane.files.length} file${lane.files.length === 1 ? '' : 's'}`;
  if (isLaneGreen(lane)) return `tests green, ${files}, trust the suite`;
  return `${describeLaneVerdict(lane)}, ${files}: see next steps`;
}

/**
 * "4 lanes took 3m 10s of agent time in 1m 05s of wall-clock: 2.9x". Lanes served from
 * Nx's cache are counted apart: they cost no agent time this run.
 */
export function describeSpeedup(report: Pick<ReviewReport, 'lanes' | 'laneTimeSumMs' | 'wallClockMs'>): string {
  const ran = report.lanes.filter((l) => !l.fromCache && l.durationMs > 0).length;
  const cached = report.lanes.filter((l) => l.fromCache).length;
  const cachedNote = cached ? ` (${cached} more from cache)` : '';
  const base =
    `${ran} lane${ran === 1 ? '' : 's'}${cachedNote} took ${formatDuration(report.laneTimeSumMs)} of agent time ` +
    `in ${formatDuration(report.wallClockMs)} of wall-clock`;
  const speedup = computeSpeedup(report);
  return speedup === undefined ? base : `${base}: ${formatSpeedup(speedup)}`;
}

/** A lane's (or the feature's) turns, tokens and cost over all its attempts, "unknown" where nobody measured. */
export function describeSpend(spend: Pick<LaneReport, 'turns' | 'tokens' | 'costUsd' | 'unknownAttempts'> & { attempts?: number | LaneAttempt[] }): {
  turns: string;
  tokens: string;
  cost: string;
} {
  const known = { attempts: Array.isArray(spend.attempts) ? spend.attempts.length : spend.attempts, unknownAttempts: spend.unknownAttempts };
  return { turns: formatKnown(String(spend.turns), known), tokens: formatKnown(formatTokens(spend.tokens), known), cost: formatKnown(formatCost(spend.costUsd), known) };
}

const STARTED_FROM_WORDS: Record<LaneAttempt['startedFrom'], string> = {
  fresh: 'fresh start',
  'resumed-transcript': 'after an answer',
  'previous-patch': 'after feedback',
};

/** `2. after feedback: done, 4 turns, $0.0512, 9.1s` (`unknown` for figures no one measured). */
export function describeAttempt(attempt: LaneAttempt, index: number): string {
  const from = index === 0 && attempt.startedFrom === 'fresh' ? 'first run' : STARTED_FROM_WORDS[attempt.startedFrom] ?? attempt.startedFrom;
  const figures =
    attempt.usageSource === 'none'
      ? 'turns, tokens and cost unknown (the agent reported none)'
      : `${attempt.turns} turn${attempt.turns === 1 ? '' : 's'}, ${formatCount(attempt.tokens.input + attempt.tokens.output + attempt.tokens.cacheRead + attempt.tokens.cacheWrite)} tokens, ${formatCost(attempt.costUsd)}`;
  return `${index + 1}. ${from}: ${attempt.outcome}, ${figures}, ${formatDuration(attempt.durationMs)}`;
}

/** `2026-12-01T10:00:00.000Z: no-op rerun, all 4 lanes from cache, $0`: the line a no-op run adds to the report it kept. */
export function describeNoopRun(run: ReportRun): string {
  return `${run.generatedAt}: no-op rerun, all ${run.lanesFromCache} lane${run.lanesFromCache === 1 ? '' : 's'} from cache, $0`;
}

/** What one run spent: `$0.0512 (1 lane ran, 3 from cache)`. */
export function describeRunSpend(run: Pick<ReportRun, 'spentUsd' | 'unknownAttempts' | 'lanesRan' | 'lanesFromCache'>): string {
  const spent = run.unknownAttempts ? (run.lanesRan <= run.unknownAttempts ? 'unknown' : `${formatCost(run.spentUsd)} + unknown`) : formatCost(run.spentUsd);
  return `${spent} (${run.lanesRan} lane${run.lanesRan === 1 ? '' : 's'} ran, ${run.lanesFromCache} from cache)`;
}
