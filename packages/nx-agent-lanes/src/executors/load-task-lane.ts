import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { LanesError } from '../errors';
import type { Feature, Lane } from '../feature/feature-types';
import { createFeatureReader, findLane, type FeatureReader } from '../plugin/read-feature-from-disk';

/** Options every lane task carries: the plan file and the lane in it (set by inference). */
export interface LaneTaskOptions {
  featureFile: string;
  lane: string;
}

/**
 * The feature a lane task's options name, read and validated from disk, and its lane. The
 * tasks of one batch share `reader`, so a feature's plan is validated once for all its lanes
 * (again only if its text changed).
 */
export function loadTaskLane(
  context: ExecutorContext,
  options: LaneTaskOptions,
  reader: FeatureReader = createFeatureReader(context.root),
): { feature: Feature; lane: Lane } {
  if (!options.featureFile) {
    throw new LanesError(`Task ${context.projectName}:${context.targetName} has no featureFile option.`, {
      hint: 'Lane tasks are inferred from feature.jsonc by the nx-agent-lanes plugin: run them through their feature (nx run <feature>:lane--<lane>).',
    });
  }
  const feature = reader.readOrThrow(options.featureFile);
  return { feature, lane: findLane(feature, options.lane) };
}

/** One plan reader for the tasks of a batch: each feature validated once, in this process. */
export function createBatchFeatureReader(context: ExecutorContext): FeatureReader {
  return createFeatureReader(context.root, { reuseValidated: true });
}

/**
 * The lanes of a batch's tasks that load; a task whose plan does not is left out here and
 * reports its own error when it runs.
 */
export function loadTaskLanes(
  context: ExecutorContext,
  taskGraph: TaskGraph,
  inputs: Record<string, LaneTaskOptions>,
  reader: FeatureReader = createBatchFeatureReader(context),
): Array<{ feature: Feature; lane: Lane }> {
  return Object.keys(taskGraph.tasks).flatMap((id) => {
    try {
      return [loadTaskLane(context, inputs[id], reader)];
    } catch {
      return [];
    }
  });
}

/** The feature whose project the task belongs to (integrate, clean-lanes). */
export function loadTaskFeature(context: ExecutorContext): Feature {
  const project = context.projectsConfigurations?.projects[context.projectName ?? ''];
  if (!project) throw new LanesError(`No project ${context.projectName} in this workspace.`);
  return createFeatureReader(context.root).readOrThrow(`${project.root === '.' ? '' : `${project.root}/`}feature.jsonc`);
}
