/**
 * nx-agent-lanes: the Nx plugin entry (nx.json `plugins: ["nx-agent-lanes"]`).
 */
export { createNodes, createNodesV2 } from './plugin/create-nodes';
export { createDependencies } from './plugin/create-dependencies';
export { preTasksExecution, postTasksExecution } from './plugin/run-hooks';
export type { AgentLanesPluginOptions } from './plugin/plugin-options';
export type { Feature, Lane, AgentConfig, FeatureConfigInput, LaneConfigInput } from './feature/feature-types';
