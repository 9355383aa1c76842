import type { ScratchWorkspace } from '../e2e/utils/scratch-workspace';
import type { MessagesApiServer } from '../packages/nx-agent-lanes/src/replay/messages-api-server';
import type { ScriptedSession } from '../packages/nx-agent-lanes/src/replay/script-types';
import type { BenchRow } from './bench-table';
import { assertNxOk, laneTargets, planLanes, runNx, type BenchFeature } from './bench-workspace';
import { laneMarker, planBlockingSessions, planWorkingSession } from './lane-sessions';

export const ANSWER_FEATURE = 'answer-8';
const BLOCKED_LANE = 'l3';
const QUESTION = 'Should timestamps in the CSV be UTC or local time?';
const ANSWER = 'UTC, with an explicit column header';

export function planAnswerFeature(): BenchFeature {
  return { name: ANSWER_FEATURE, lanes: planLanes(ANSWER_FEATURE, 8), markerOf: laneMarker(ANSWER_FEATURE) };
}

export function planAnswerSessions(feature: BenchFeature): ScriptedSession[] {
  return feature.lanes.flatMap((lane) =>
    lane.name === BLOCKED_LANE
      ? planBlockingSessions(feature, lane, { question: QUESTION, answer: ANSWER })
      : [planWorkingSession(feature, lane, 0)],
  );
}

/** Sessions that received requests between two stats snapshots. */
function sessionsCalled(before: Record<string, number>, after: Record<string, number>): string[] {
  return Object.keys(after).filter((name) => after[name] !== (before[name] ?? 0)).sort();
}

/**
 * One lane of eight blocks; the person answers in one line; the next run must re-execute that
 * lane alone (its agent is the only one the model hears from) and replay the seven others.
 */
export async function measureTargetedRerun(options: {
  ws: ScratchWorkspace;
  env: NodeJS.ProcessEnv;
  server: MessagesApiServer;
  feature: BenchFeature;
}): Promise<BenchRow[]> {
  const { ws, env, server, feature } = options;
  const run = () => runNx({ root: ws.root, args: ['run-many', `--targets=${laneTargets(feature.lanes)}`, `--projects=${feature.name}`, '--parallel=8'], env });
  const first = await run();
  if (first.code === 0) throw new Error(`lane ${BLOCKED_LANE} of ${feature.name} should have blocked:\n${first.output.slice(-3000)}`);
  assertNxOk(
    await runNx({ root: ws.root, args: ['g', 'nx-agent-lanes:answer', feature.name, '--lane', BLOCKED_LANE, '--answer', ANSWER], env }),
    'nx g nx-agent-lanes:answer',
  );
  const before = { ...server.stats().bySession };
  const rerun = assertNxOk(await run(), 'the rerun after the answer');
  const called = sessionsCalled(before, server.stats().bySession);
  const executed = called.map((s) => s.split('/')[1]);
  const expected = [`${feature.name}/${BLOCKED_LANE}/answered`];
  const pass = called.length === 1 && called[0] === expected[0];
  return [
    {
      measure: `targeted rerun after one answer (${feature.lanes.length} lanes)`,
      figure: `${executed.length} lane re-executed (${executed.join(', ') || 'none'}), rerun ${(rerun.ms / 1000).toFixed(2)} s`,
      goal: `exactly 1 (${BLOCKED_LANE})`,
      pass,
    },
  ];
}
