import { stripAnsi } from '../../tools/demo/export-story';

/**
 * Which lane tasks an `nx` command ran, and which it restored from a cache, read from its output.
 *
 * A lane's cached work runs in the lane's own project (`<feature>/<lane>:agent|verify`), and
 * Nx prints no line for the feature's `lane--<lane>` / `verify--<lane>` no-op targets, so
 * every task is named here as the feature target a person runs to get it (as
 * tools/demo/export-story.js's findCachedTasks does for the demo).
 */
export interface LaneTaskLine {
  feature: string;
  lane: string;
  /** `lane--<lane>` for the agent task, `verify--<lane>` for the verify task. */
  target: string;
  /** Where Nx took the task from; undefined when it ran. */
  cache?: 'local' | 'remote' | 'existing-outputs';
}

const TASK = /^> nx run ([\w.-]+)\/([\w.-]+):(agent|verify)(?:\s+\[(local cache|remote cache|existing outputs match the cache, left as is)\])?\s*$/;
const CACHE_OF: Record<string, LaneTaskLine['cache']> = {
  'local cache': 'local',
  'remote cache': 'remote',
  'existing outputs match the cache, left as is': 'existing-outputs',
};

const featureTarget = (lane: string, target: string) => `${target === 'agent' ? 'lane' : 'verify'}--${lane}`;

/** Every lane task Nx started or restored, in the order it printed them. */
export function readLaneTasks(output: string): LaneTaskLine[] {
  const tasks: LaneTaskLine[] = [];
  for (const line of stripAnsi(output).split('\n')) {
    const m = TASK.exec(line.trim());
    if (m) tasks.push({ feature: m[1], lane: m[2], target: featureTarget(m[2], m[3]), cache: m[4] ? CACHE_OF[m[4]] : undefined });
  }
  return tasks;
}

/** Whether `feature`'s `target` (`lane--x` or `verify--x`) came from a cache, ran, or was not part of the command. */
export function laneTaskStatus(output: string, feature: string, target: string): 'cache' | 'ran' | 'absent' {
  const task = readLaneTasks(output).find((t) => t.feature === feature && t.target === target);
  return task === undefined ? 'absent' : task.cache ? 'cache' : 'ran';
}

/** The targets (`lane--x`, `verify--x`) of `feature` restored from `from` (any cache by default), sorted. */
export function cachedLaneTasks(output: string, feature: string, from?: 'local' | 'remote'): string[] {
  return readLaneTasks(output)
    .filter((t) => t.feature === feature && t.cache !== undefined && (from === undefined || t.cache === from))
    .map((t) => t.target)
    .sort();
}

/** The lane tasks listed under Nx's "Failed tasks:", in its order. */
export function failedLaneTasks(output: string): Array<Omit<LaneTaskLine, 'cache'>> {
  const failed = /Failed tasks:\s*\n([\s\S]*?)(\n\n|$)/.exec(stripAnsi(output))?.[1] ?? '';
  return [...failed.matchAll(/^\s*- ([\w.-]+)\/([\w.-]+):(agent|verify)\s*$/gm)].map((m) => ({
    feature: m[1],
    lane: m[2],
    target: featureTarget(m[2], m[3]),
  }));
}
