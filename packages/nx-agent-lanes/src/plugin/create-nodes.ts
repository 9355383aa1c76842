import { createNodesFromFiles, type CreateNodesContextV2, type CreateNodesV2 } from '@nx/devkit';
import { buildFeatureProject } from './feature-targets';
import { createFeatureReader } from './read-feature-from-disk';

export const FEATURE_FILE_GLOB = '**/feature.jsonc';

/** Options of the plugin entry in nx.json (none yet; kept for forward compatibility). */
export type AgentLanesPluginOptions = Record<string, never>;

/**
 * Every feature.jsonc becomes a project with lane--*, verify--* and integrate targets.
 * An invalid plan fails project-graph creation with every problem, located to the character.
 */
export const createNodesV2: CreateNodesV2<AgentLanesPluginOptions> = [
  FEATURE_FILE_GLOB,
  async (configFiles, options, context: CreateNodesContextV2) => {
    const reader = createFeatureReader(context.workspaceRoot);
    return createNodesFromFiles(
      (file) => {
        const feature = reader.readOrThrow(file);
        return { projects: { [feature.root]: buildFeatureProject(feature) } };
      },
      configFiles,
      options,
      context,
    );
  },
];

/** Nx 22+ reads `createNodes` with the V2 signature; Nx 21 reads `createNodesV2`. */
export const createNodes = createNodesV2;
