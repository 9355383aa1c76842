import { testFeature, testLane } from '../__fixtures__/lane-fixture';
import { buildFeatureProject } from './feature-targets';

describe('buildFeatureProject', () => {
  const feature = testFeature([testLane('api', ['apps/api']), testLane('web', ['apps/web/**'], { after: ['api'] })]);
  const project = buildFeatureProject(feature);

  it('gives each lane a lane-- and a verify-- target, and the feature integrate and clean-lanes', () => {
    expect(Object.keys(project.targets ?? {})).toEqual(['lane--api', 'verify--api', 'lane--web', 'verify--web', 'integrate', 'clean-lanes']);
    expect(project.targets?.['lane--web'].dependsOn).toEqual(['lane--api']);
    expect(project.targets?.['verify--web'].dependsOn).toEqual(['lane--web', 'lane--api']);
    expect(project.targets?.integrate.dependsOn).toEqual(['lane--api', 'verify--api', 'lane--web', 'verify--web']);
  });

  it('declares the artifacts under dist/agent-lanes/<feature>/ as outputs', () => {
    expect(project.targets?.['lane--api'].outputs).toEqual([
      '{workspaceRoot}/dist/agent-lanes/f/api/result.json',
      '{workspaceRoot}/dist/agent-lanes/f/api/lane.patch',
      '{workspaceRoot}/dist/agent-lanes/f/api/transcript.jsonl',
    ]);
    expect(project.targets?.['verify--api'].outputs).toEqual(['{workspaceRoot}/dist/agent-lanes/f/api/verify.json']);
    expect(project.targets?.integrate.outputs).toEqual(['{workspaceRoot}/dist/agent-lanes/f/integration']);
    expect(project.targets?.['lane--api'].inputs).toContain('{projectRoot}/lane-notes.jsonc');
  });
});
