import type { ScriptedResponse, ScriptedSession } from '../packages/nx-agent-lanes/src/replay/script-types';
import type { BenchFeature } from './bench-workspace';

/*
 * Scripted model sessions for the bench lanes. The replay server picks a session by a marker
 * in the lane's spec (it reaches the prompt) and the turn by the number of assistant turns
 * already in the request, so parallel lanes need no coordination.
 */

const tool = (name: string, input: unknown) => ({ type: 'tool_use' as const, name, input });

/** `[bench:<feature>/<lane>]`: delimited so `l1` never matches inside `l10`. */
export const laneMarker = (feature: string) => (lane: string) => `[bench:${feature}/${lane}]`;

/** What a working lane writes into the file it owns; its test is `node <that file>`. */
export const laneFileContent = (lane: string) => `exports.lane = '${lane}';\n`;

/** A lane that writes its file, runs its test and finishes: three model turns of `latencyMs` each. */
export function planWorkingSession(feature: BenchFeature, lane: { name: string; owns: string }, latencyMs: number): ScriptedSession {
  return {
    name: `${feature.name}/${lane.name}`,
    match: { contains: feature.markerOf(lane.name) },
    turns: [
      { latencyMs, content: [tool('write_file', { path: lane.owns, content: laneFileContent(lane.name) })] },
      { latencyMs, content: [tool('run_tests', {})] },
      { latencyMs, content: [tool('finish', { summary: `wrote ${lane.owns}` })] },
    ],
  };
}

/**
 * A lane that asks a question until `answer` appears in its conversation, then works.
 * The answered session tolerates both starts: a fresh prompt carrying the answer (turn 0) and
 * the blocked conversation resumed with the answer as report_blocker's result (turn 1).
 */
export function planBlockingSessions(
  feature: BenchFeature,
  lane: { name: string; owns: string },
  options: { question: string; answer: string },
): ScriptedSession[] {
  const write: ScriptedResponse = { content: [tool('write_file', { path: lane.owns, content: laneFileContent(lane.name) })] };
  const finish: ScriptedResponse = { content: [tool('finish', { summary: `wrote ${lane.owns} after the answer` })] };
  return [
    {
      name: `${feature.name}/${lane.name}/answered`,
      match: { contains: [feature.markerOf(lane.name), options.answer] },
      turns: [write, write, finish, finish],
    },
    {
      name: `${feature.name}/${lane.name}/blocked`,
      match: { contains: feature.markerOf(lane.name), notContains: options.answer },
      turns: [{ content: [tool('report_blocker', { question: options.question })] }],
    },
  ];
}

/** A 20-turn lane (reads and writes alternating, then finish), as in the provider's cache test. */
export function planLongSession(feature: BenchFeature, lane: { name: string; owns: string }): ScriptedSession {
  const dir = lane.owns.slice(0, lane.owns.lastIndexOf('/'));
  const turns: ScriptedResponse[] = Array.from({ length: 19 }, (_, i) =>
    i % 2 === 0
      ? { content: [tool('write_file', { path: lane.owns, content: `exports.lane = '${lane.name}'; // step ${i}\n` })] }
      : { content: [tool('read_file', { path: lane.owns })] },
  );
  turns.push({ content: [tool('finish', { summary: `twenty turns in ${dir}` })] });
  return { name: `${feature.name}/${lane.name}`, match: { contains: feature.markerOf(lane.name) }, turns };
}
