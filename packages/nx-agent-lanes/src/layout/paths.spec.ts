import {
  featureArtifactsDir,
  integrationArtifactsDir,
  laneArtifactOf,
  laneArtifactsDir,
  laneNotesFile,
  laneTaskOutputs,
} from './paths';
import { CLEAN_TARGET, INTEGRATE_TARGET, laneProjectName, laneProjectRoot, laneTarget, verifyTarget } from './targets';

describe('target names', () => {
  it('keeps the public names: lane--<lane>, verify--<lane>, integrate, clean-lanes', () => {
    expect([laneTarget('backend'), verifyTarget('backend'), INTEGRATE_TARGET, CLEAN_TARGET]).toEqual([
      'lane--backend',
      'verify--backend',
      'integrate',
      'clean-lanes',
    ]);
    const names = { laneTargetPrefix: 'agent-', verifyTargetPrefix: 'check-', integrateTargetName: 'ship', cleanTargetName: 'tidy' };
    expect([laneTarget('backend', names), verifyTarget('backend', names)]).toEqual(['agent-backend', 'check-backend']);
  });

  it('names a lane project <feature>/<lane>, rooted under the feature folder', () => {
    expect(laneProjectName('export', 'backend')).toBe('export/backend');
    expect(laneProjectRoot('features/export', 'backend')).toBe('features/export/lanes/backend');
    expect(laneProjectRoot('.', 'backend')).toBe('lanes/backend');
  });
});

describe('artifact paths', () => {
  it('puts every artifact under dist/agent-lanes/<feature>/', () => {
    expect(featureArtifactsDir('export')).toBe('dist/agent-lanes/export');
    expect(laneArtifactsDir('export', 'backend')).toBe('dist/agent-lanes/export/backend');
    expect(integrationArtifactsDir('export')).toBe('dist/agent-lanes/export/integration');
    expect(laneTaskOutputs('export', 'backend')).toEqual({
      lane: ['dist/agent-lanes/export/backend/result.json', 'dist/agent-lanes/export/backend/lane.patch', 'dist/agent-lanes/export/backend/transcript.jsonl'],
      verify: ['dist/agent-lanes/export/backend/verify.json'],
    });
  });

  it("puts each lane's notes in its own file beside feature.jsonc, also for a feature at the workspace root", () => {
    expect(laneNotesFile('features/export', 'backend')).toBe('features/export/notes/backend.jsonc');
    expect(laneNotesFile('.', 'backend')).toBe('notes/backend.jsonc');
  });
});

describe('laneArtifactOf', () => {
  it('names the lane and the kind of a lane artifact path, as Nx lists task outputs', () => {
    expect(laneArtifactOf('dist/agent-lanes/export/backend/result.json')).toEqual({ feature: 'export', lane: 'backend', kind: 'result' });
    expect(laneArtifactOf('{workspaceRoot}/dist/agent-lanes/export/backend/verify.json')).toEqual({ feature: 'export', lane: 'backend', kind: 'verify' });
    expect(laneArtifactOf('dist/agent-lanes/export/backend/lane.patch')?.kind).toBe('patch');
    expect(laneArtifactOf('dist/agent-lanes/export/backend/transcript.jsonl')?.kind).toBe('transcript');
  });

  it('is undefined for anything else', () => {
    for (const path of [
      'dist/agent-lanes/export/integration/result.json',
      'dist/agent-lanes/export/integration',
      'dist/agent-lanes/export/backend/.ran-in',
      'dist/agent-lanes/export/backend/rescued/x.patch',
      'dist/other/export/backend/result.json',
      'dist/agent-lanes/export/result.json',
    ]) {
      expect(laneArtifactOf(path)).toBeUndefined();
    }
  });
});
