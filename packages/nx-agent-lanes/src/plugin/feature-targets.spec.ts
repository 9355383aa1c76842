import type { ProjectConfiguration } from '@nx/devkit';
import { TEST_AGENT, testFeature, testLane } from '../__fixtures__/lane-fixture';
import type { Feature } from '../feature/feature-types';
import { buildFeatureProjects } from './feature-targets';

/** Everything Nx folds into a task's hash from its project: root, tags and each target's executor, options and outputs. */
function configHash(project: ProjectConfiguration): string {
  const targets = Object.entries(project.targets ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, t]) => [name, t.executor, t.outputs, t.options, t.configurations]);
  return JSON.stringify([project.root, project.tags, targets]);
}

/** What decides a lane's agent task: its project's configuration and its declared inputs. */
function agentKey(feature: Feature, lane: string): string {
  const project = buildFeatureProjects(feature)[`${feature.root}/lanes/${lane}`];
  return JSON.stringify([configHash(project), project.targets?.agent.inputs]);
}

describe('buildFeatureProjects', () => {
  const feature = testFeature([testLane('api', ['apps/api']), testLane('web', ['apps/web/**'], { after: ['api'] })]);
  const projects = buildFeatureProjects(feature);
  const f = projects['features/f'];

  it('makes the feature project with lane--, verify--, integrate and clean-lanes, and one project per lane', () => {
    expect(Object.keys(projects).sort()).toEqual(['features/f', 'features/f/lanes/api', 'features/f/lanes/web']);
    expect(Object.keys(f.targets ?? {})).toEqual(['lane--api', 'verify--api', 'lane--web', 'verify--web', 'integrate', 'clean-lanes']);
    expect(f.targets?.['lane--api']).toMatchObject({ executor: 'nx:noop', dependsOn: [{ projects: ['f/api'], target: 'agent' }] });
    expect(f.targets?.integrate.dependsOn).toEqual([
      { projects: ['f/api'], target: 'agent' },
      { projects: ['f/api'], target: 'verify' },
      { projects: ['f/web'], target: 'agent' },
      { projects: ['f/web'], target: 'verify' },
    ]);
    expect(f.implicitDependencies).toBeUndefined();
    for (const target of Object.values(f.targets ?? {})) expect(target.inputs).toEqual([]);
    expect(f.metadata?.targetGroups).toEqual({
      'Agent lanes': ['lane--api', 'lane--web'],
      Verification: ['verify--api', 'verify--web'],
      Integration: ['integrate', 'clean-lanes'],
    });
  });

  it("orders lane tasks by `after` and verifies a lane on its upstream lanes' patches", () => {
    const web = projects['features/f/lanes/web'];
    expect(web.name).toBe('f/web');
    expect(web.projectType).toBe('library');
    expect(web.targets?.agent.dependsOn).toEqual([{ projects: ['f/api'], target: 'agent' }]);
    expect(web.targets?.verify.dependsOn).toEqual([
      { projects: ['f/web'], target: 'agent' },
      { projects: ['f/api'], target: 'agent' },
    ]);
    expect(web.targets?.agent.inputs).toContainEqual({ dependentTasksOutputFiles: '**/lane.patch', transitive: true });
    expect(projects['features/f/lanes/api'].targets?.agent.inputs).not.toContainEqual(expect.objectContaining({ dependentTasksOutputFiles: expect.anything() }));
  });

  it('declares the artifacts under dist/agent-lanes/<feature>/ as outputs', () => {
    const api = projects['features/f/lanes/api'];
    expect(api.targets?.agent.outputs).toEqual([
      '{workspaceRoot}/dist/agent-lanes/f/api/result.json',
      '{workspaceRoot}/dist/agent-lanes/f/api/lane.patch',
      '{workspaceRoot}/dist/agent-lanes/f/api/transcript.jsonl',
    ]);
    expect(api.targets?.verify.outputs).toEqual(['{workspaceRoot}/dist/agent-lanes/f/api/verify.json']);
    expect(f.targets?.integrate.outputs).toEqual(['{workspaceRoot}/dist/agent-lanes/f/integration']);
  });

  it("keys a lane on its spec, its notes, the contract and its owned files at the base commit", () => {
    expect(projects['features/f/lanes/api'].targets?.agent.inputs).toEqual([
      '{workspaceRoot}/features/f/contract.md',
      '{workspaceRoot}/features/f/lanes/api.md',
      '{workspaceRoot}/features/f/notes/api.jsonc',
      { runtime: 'git ls-tree HEAD -- apps/api' },
      { env: 'ANTHROPIC_BASE_URL' },
    ]);
  });

  it('takes target names from the plugin options', () => {
    const renamed = buildFeatureProjects(feature, { laneTargetPrefix: 'agent-', verifyTargetPrefix: 'check-', integrateTargetName: 'ship', cleanTargetName: 'tidy' });
    expect(Object.keys(renamed['features/f'].targets ?? {})).toEqual(['agent-api', 'check-api', 'agent-web', 'check-web', 'ship', 'tidy']);
  });
});

describe("a lane's cache key (the README's rerun table)", () => {
  const api = testLane('api', ['apps/api']);
  const web = testLane('web', ['apps/web/**']);
  const base = testFeature([api, web]);

  it('does not change when another lane is edited or a lane is added', () => {
    expect(agentKey(testFeature([api, { ...web, test: 'other' }]), 'api')).toBe(agentKey(base, 'api'));
    expect(agentKey(testFeature([api, web, testLane('docs', ['docs/**'])]), 'api')).toBe(agentKey(base, 'api'));
  });

  it("changes with the lane's own entry, and with the goal, setup, base and feature-level agent every lane inherits", () => {
    expect(agentKey(testFeature([{ ...api, test: 'other' }, web]), 'api')).not.toBe(agentKey(base, 'api'));
    expect(agentKey(testFeature([{ ...api, owns: ['apps/api', 'libs/x'] }, web]), 'api')).not.toBe(agentKey(base, 'api'));
    for (const change of [{ goal: 'other goal' }, { setup: 'npm ci' }, { base: 'main' }, { secrets: ['TOKEN'] }]) {
      expect(agentKey(testFeature([api, web], change), 'api')).not.toBe(agentKey(base, 'api'));
    }
    const cheaper = { ...TEST_AGENT, budgetUsd: 1 };
    expect(agentKey(testFeature([{ ...api, agent: cheaper }, { ...web, agent: cheaper }]), 'web')).not.toBe(agentKey(base, 'web'));
  });
});
