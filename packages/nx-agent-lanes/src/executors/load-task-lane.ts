import type { ExecutorContext } from '@nx/devkit';
import { LanesError } from '../errors';
import type { Feature, Lane } from '../feature/feature-types';
import { createFeatureReader, findLane } from '../plugin/read-feature-from-disk';

/** Options every lane task carries: the plan file and the lane in it (set by inference). */
export interface LaneTaskOptions {
  featureFile: string;
  lane: string;
}

/** The feature a lane task's options name, read and validated from disk, and its lane. */
export function loadTaskLane(context: ExecutorContext, options: LaneTaskOptions): { feature: Feature; lane: Lane } {
  if (!options.featureFile) {
    throw new LanesError(`Task ${context.projectName}:${context.targetName} has no featureFile option.`, {
      hint: 'Lane tasks are inferred from feature.jsonc by the nx-agent-lanes plugin: run them through their feature (nx run <feature>:lane--<lane>).',
    });
  }
  const feature = createFeatureReader(context.root).readOrThrow(options.featureFile);
  return { feature, lane: findLane(feature, options.lane) };
}

/** The feature whose project the task belongs to (integrate, clean-lanes). */
export function loadTaskFeature(context: ExecutorContext): Feature {
  const project = context.projectsConfigurations?.projects[context.projectName ?? ''];
  if (!project) throw new LanesError(`No project ${context.projectName} in this workspace.`);
  return createFeatureReader(context.root).readOrThrow(`${project.root === '.' ? '' : `${project.root}/`}feature.jsonc`);
}
