/** Pure sentences about a run and its lanes that both renderers print the same way. */
import { computeSpeedup, formatDuration, formatSpeedup } from './format-figures';
import type { IntegrationOutcome, LaneReport, ReviewReport } from './review-report';

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
