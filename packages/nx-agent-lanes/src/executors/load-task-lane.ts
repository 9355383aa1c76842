import type { ExecutorContext } from '@nx/devkit';
import { LanesError } from '../errors';
import type { Feature, Lane } from '../feature/feature-types';
import { createFeatureReader, findLane } from '../plugin/read-feature-from-disk';

/** The feature of the task's project, and the lane its options name. */
export function loadTaskLane(context: ExecutorContext, laneName: string): { feature: Feature; lane: Lane } {
  const feature = loadTaskFeature(context);
  return { feature, lane: findLane(feature, laneName) };
}

export function loadTaskFeature(context: ExecutorContext): Feature {
  const project = context.projectsConfigurations?.projects[context.projectName ?? ''];
  if (!project) throw new LanesError(`No project ${context.projectName} in this workspace.`);
  return createFeatureReader(context.root).readOrThrow(`${project.root}/feature.jsonc`);
}
