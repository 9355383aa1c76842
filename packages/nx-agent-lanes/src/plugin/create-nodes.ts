import { createNodesFromFiles, type CreateNodesContextV2, type CreateNodesV2 } from '@nx/devkit';
import { buildFeatureProjects } from './feature-targets';
import { normalizePluginOptions, type AgentLanesPluginOptions } from './plugin-options';
import { createFeatureReader } from './read-feature-from-disk';

export const FEATURE_FILE_GLOB = '**/feature.jsonc';

/**
 * Every feature.jsonc becomes a feature project (lane--*, verify--*, integrate, clean-lanes)
 * and one project per lane. An invalid plan fails project-graph creation with every problem,
 * located to the character.
 */
export const createNodesV2: CreateNodesV2<AgentLanesPluginOptions> = [
  FEATURE_FILE_GLOB,
  async (configFiles, options, context: CreateNodesContextV2) => {
    const names = normalizePluginOptions(options);
    const reader = createFeatureReader(context.workspaceRoot);
    return createNodesFromFiles(
      (file) => ({ projects: buildFeatureProjects(reader.readOrThrow(file), names) }),
      configFiles,
      options,
      context,
    );
  },
];

/** Nx 22+ reads `createNodes` with the V2 signature; Nx 21 reads `createNodesV2`. */
export const createNodes = createNodesV2;
