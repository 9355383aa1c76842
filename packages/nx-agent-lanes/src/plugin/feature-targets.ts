import type { ProjectConfiguration, TargetConfiguration } from '@nx/devkit';
import type { Feature, Lane } from '../feature/feature-types';
import { upstreamLanes } from '../feature/plan-lanes';
import {
  CLEAN_TARGET,
  INTEGRATE_TARGET,
  LANE_NOTES_FILE,
  integrationArtifactsDir,
  laneTarget,
  laneTaskOutputs,
  verifyTarget,
} from '../layout';

const TECHNOLOGY = 'nx-agent-lanes';

/**
 * The project a feature becomes. Target options name only the lane: Nx folds the whole
 * project configuration into every task's hash, so lane settings stay out of it and the
 * executors' own hasher hashes each lane's inputs instead (see src/hashing).
 */
export function buildFeatureProject(feature: Feature): ProjectConfiguration {
  const targets: Record<string, TargetConfiguration> = {};
  const f = feature.name;
  for (const lane of feature.lanes) {
    const outputs = laneTaskOutputs(f, lane.name);
    const upstream = upstreamLanes(feature, lane);
    targets[laneTarget(lane.name)] = {
      executor: 'nx-agent-lanes:agent-lane',
      options: { lane: lane.name },
      cache: true,
      dependsOn: lane.after.map(laneTarget),
      inputs: laneInputs(feature, lane),
      outputs: outputs.lane.map((o) => `{workspaceRoot}/${o}`),
      metadata: {
        description: `Run the ${lane.name} lane's ${describeAgent(lane)} in its own git worktree; it may change ${lane.owns.join(', ')}`,
        technologies: [TECHNOLOGY],
      },
    };
    targets[verifyTarget(lane.name)] = {
      executor: 'nx-agent-lanes:verify-lane',
      options: { lane: lane.name },
      cache: true,
      dependsOn: [laneTarget(lane.name), ...upstream.map((u) => laneTarget(u.name))],
      inputs: laneInputs(feature, lane),
      outputs: outputs.verify.map((o) => `{workspaceRoot}/${o}`),
      metadata: {
        description: `Apply the ${lane.name} lane's patch to a clean worktree, run \`${lane.test}\` and check it changed only its own files`,
        technologies: [TECHNOLOGY],
      },
    };
  }
  targets[INTEGRATE_TARGET] = {
    executor: 'nx-agent-lanes:integrate',
    options: {},
    // Integrate moves the lanes/<feature> branch: a side effect a cache hit could not replay.
    cache: false,
    dependsOn: feature.lanes.flatMap((l) => [laneTarget(l.name), verifyTarget(l.name)]),
    outputs: [`{workspaceRoot}/${integrationArtifactsDir(f)}`],
    metadata: {
      description: `Merge every lane on branch lanes/${f}, run the integration test${feature.integration.test ? ` (\`${feature.integration.test}\`)` : ''} and write the review report`,
      technologies: [TECHNOLOGY],
    },
  };
  targets[CLEAN_TARGET] = {
    executor: 'nx-agent-lanes:clean',
    options: {},
    cache: false,
    metadata: {
      description: 'Remove worktrees and agent-lanes/* branches left behind by interrupted runs in this repository',
      technologies: [TECHNOLOGY],
    },
  };
  return {
    root: feature.root,
    name: feature.name,
    projectType: 'application',
    tags: ['agent-lanes:feature'],
    targets,
    metadata: {
      description: feature.goal,
      technologies: [TECHNOLOGY],
      targetGroups: {
        'Agent lanes': feature.lanes.map((l) => laneTarget(l.name)),
        Verification: feature.lanes.map((l) => verifyTarget(l.name)),
        Integration: [INTEGRATE_TARGET, CLEAN_TARGET],
      },
    },
  };
}

function describeAgent(lane: Lane): string {
  return lane.agent.provider === 'anthropic' ? `agent (${lane.agent.model})` : 'agent command';
}

/**
 * What the lane's hasher covers, declared so `nx show project` tells the truth about it.
 * (The hasher reads owned files from the base commit and only this lane's entry of feature.jsonc.)
 */
function laneInputs(feature: Feature, lane: Lane): TargetConfiguration['inputs'] {
  return [
    `{projectRoot}/feature.jsonc`,
    `{workspaceRoot}/${feature.contractPath}`,
    `{workspaceRoot}/${lane.specPath}`,
    `{projectRoot}/${LANE_NOTES_FILE}`,
    ...lane.owns.map((p) => `{workspaceRoot}/${p}`),
    { env: 'ANTHROPIC_BASE_URL' },
  ];
}
