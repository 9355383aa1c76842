import type { ProjectConfiguration, TargetConfiguration, TargetDependencyConfig } from '@nx/devkit';
import type { Feature, Lane } from '../feature/feature-types';
import { indexUpstreamLanes } from '../feature/plan-lanes';
import { keyDigest, planAgentInputs, planAgentKey, planVerifyInputs, planVerifyKey } from '../hashing/lane-cache-inputs';
import {
  DEFAULT_TARGET_NAMES,
  LANE_AGENT_TARGET,
  LANE_VERIFY_TARGET,
  integrationArtifactsDir,
  laneNotesFile,
  laneProjectName,
  laneProjectRoot,
  laneTarget,
  laneTaskOutputs,
  verifyTarget,
  type TargetNames,
} from '../layout';

const TECHNOLOGY = 'nx-agent-lanes';
export const FEATURE_TAG = 'agent-lanes:feature';
export const LANE_TAG = 'agent-lanes:lane';

/**
 * The feature's own targets hash nothing: the no-op targets only run lane tasks, and integrate
 * and clean-lanes are never cached. No project depends on a lane project in the project graph
 * either (tasks reach lane tasks through `dependsOn` alone): a lane project's folder holds no
 * files, so it is not in Nx's file map, and a `^default` input reaching it fails the hasher
 * with "project <feature>/<lane> not found".
 */
const NO_INPUTS: string[] = [];

/**
 * The projects a feature becomes, keyed by root: the feature's own project (the targets a
 * person runs: `lane--<lane>`, `verify--<lane>`, `integrate`, `clean-lanes`) and one small
 * project per lane holding the lane's cached `agent` and `verify` tasks.
 *
 * Why a project per lane: Nx hashes a project's whole configuration (each target's executor,
 * options and outputs) into every task of that project, so in one project a new lane or an
 * edit to one lane would rerun every agent. In its own project a lane's tasks are keyed on its
 * settings alone (their options carry a digest of them, see src/hashing), with declarative inputs only.
 * The feature's `lane--<lane>` and `verify--<lane>` are no-op targets that run the lane's task,
 * so `nx run <feature>:lane--<lane>` works as it reads.
 */
export function buildFeatureProjects(feature: Feature, names: TargetNames = DEFAULT_TARGET_NAMES): Record<string, ProjectConfiguration> {
  const projects: Record<string, ProjectConfiguration> = {};
  const upstreamOf = indexUpstreamLanes(feature);
  for (const lane of feature.lanes) projects[laneProjectRoot(feature.root, lane.name)] = buildLaneProject(feature, lane, upstreamOf(lane));
  projects[feature.root] = buildFeatureProject(feature, names);
  return projects;
}

function buildFeatureProject(feature: Feature, names: TargetNames): ProjectConfiguration {
  const f = feature.name;
  const targets: Record<string, TargetConfiguration> = {};
  const laneTask = (lane: string, target: string): TargetDependencyConfig => ({ projects: [laneProjectName(f, lane)], target });
  for (const lane of feature.lanes) {
    targets[laneTarget(lane.name, names)] = {
      executor: 'nx:noop',
      inputs: NO_INPUTS,
      dependsOn: [laneTask(lane.name, LANE_AGENT_TARGET)],
      metadata: {
        description: `Run the ${lane.name} lane's ${describeAgent(lane)} in its own git worktree; it may change ${lane.owns.join(', ')} (runs ${laneProjectName(f, lane.name)}:${LANE_AGENT_TARGET})`,
        technologies: [TECHNOLOGY],
      },
    };
    targets[verifyTarget(lane.name, names)] = {
      executor: 'nx:noop',
      inputs: NO_INPUTS,
      dependsOn: [laneTask(lane.name, LANE_VERIFY_TARGET)],
      metadata: {
        description: `Verify the ${lane.name} lane alone: \`${lane.test}\` on a clean worktree, and only its own files changed (runs ${laneProjectName(f, lane.name)}:${LANE_VERIFY_TARGET})`,
        technologies: [TECHNOLOGY],
      },
    };
  }
  targets[names.integrateTargetName] = {
    executor: 'nx-agent-lanes:integrate',
    options: {},
    // Integrate moves the lanes/<feature> branch: a side effect a cache hit could not replay.
    cache: false,
    inputs: NO_INPUTS,
    dependsOn: feature.lanes.flatMap((l) => [laneTask(l.name, LANE_AGENT_TARGET), laneTask(l.name, LANE_VERIFY_TARGET)]),
    outputs: [`{workspaceRoot}/${integrationArtifactsDir(f)}`],
    metadata: {
      description: `Merge every lane on branch lanes/${f}, run the integration test${feature.integration.test ? ` (\`${feature.integration.test}\`)` : ''} and write the review report`,
      technologies: [TECHNOLOGY],
    },
  };
  targets[names.cleanTargetName] = {
    executor: 'nx-agent-lanes:clean',
    options: {},
    cache: false,
    inputs: NO_INPUTS,
    metadata: {
      description: 'Remove worktrees and agent-lanes/* branches left behind by interrupted runs in this repository',
      technologies: [TECHNOLOGY],
    },
  };
  return {
    root: feature.root,
    name: f,
    projectType: 'application',
    tags: [FEATURE_TAG],
    targets,
    metadata: {
      description: feature.goal,
      technologies: [TECHNOLOGY],
      targetGroups: {
        'Agent lanes': feature.lanes.map((l) => laneTarget(l.name, names)),
        Verification: feature.lanes.map((l) => verifyTarget(l.name, names)),
        Integration: [names.integrateTargetName, names.cleanTargetName],
      },
    },
  };
}

function buildLaneProject(feature: Feature, lane: Lane, upstream: readonly Lane[]): ProjectConfiguration {
  const f = feature.name;
  const outputs = laneTaskOutputs(f, lane.name);
  const options = { featureFile: feature.file, lane: lane.name };
  return {
    root: laneProjectRoot(feature.root, lane.name),
    name: laneProjectName(f, lane.name),
    // What Nx would conclude for a folder with no package.json, said outright: without it Nx
    // probes the folder for two tsconfig files and reads a package.json that is not there, for
    // every lane on every graph build.
    projectType: 'library',
    tags: [LANE_TAG],
    targets: {
      [LANE_AGENT_TARGET]: {
        executor: 'nx-agent-lanes:agent-lane',
        options: { ...options, plan: keyDigest(planAgentKey(feature, lane)) },
        cache: true,
        dependsOn: lane.after.map((u) => ({ projects: [laneProjectName(f, u)], target: LANE_AGENT_TARGET })),
        inputs: planAgentInputs(feature, lane, { notes: laneNotesFile(feature.root, lane.name) }),
        outputs: outputs.lane.map((o) => `{workspaceRoot}/${o}`),
      },
      [LANE_VERIFY_TARGET]: {
        executor: 'nx-agent-lanes:verify-lane',
        options: { ...options, plan: keyDigest(planVerifyKey(feature, lane)) },
        cache: true,
        dependsOn: [lane, ...upstream].map((l) => ({ projects: [laneProjectName(f, l.name)], target: LANE_AGENT_TARGET })),
        inputs: planVerifyInputs(feature),
        outputs: outputs.verify.map((o) => `{workspaceRoot}/${o}`),
      },
    },
    // One line for the whole project, none per target: a plan of 10,000 lanes is 10,000 of these
    // projects, and Nx copies and merges every byte of them on each graph build. The targets a
    // person runs, and their descriptions, are the feature's lane--<lane> and verify--<lane>.
    metadata: {
      description: `Lane ${lane.name} of feature ${f}: its cached agent and verify tasks`,
      technologies: [TECHNOLOGY],
    },
  };
}

function describeAgent(lane: Lane): string {
  return lane.agent.provider === 'anthropic' ? `agent (${lane.agent.model})` : 'agent command';
}
