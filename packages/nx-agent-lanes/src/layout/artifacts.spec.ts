import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  integrationArtifactFiles,
  laneArtifactFiles,
  readIntegrationResult,
  readLanePatch,
  readLaneResult,
  readRanIn,
  readVerifyResult,
  writeIntegrationArtifacts,
  writeLanePatch,
  writeLaneResult,
  writeRanIn,
  writeVerifyResult,
} from './artifacts';
import type { LaneResult } from './lane-result';
import type { VerifyResult } from './verify-result';

describe('lane artifacts', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'layout-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('names the files of a lane under the workspace root', () => {
    const files = laneArtifactFiles(root, 'f', 'api');
    expect(files).toEqual({
      dir: join(root, 'dist/agent-lanes/f/api'),
      result: join(root, 'dist/agent-lanes/f/api/result.json'),
      patch: join(root, 'dist/agent-lanes/f/api/lane.patch'),
      transcript: join(root, 'dist/agent-lanes/f/api/transcript.jsonl'),
      verify: join(root, 'dist/agent-lanes/f/api/verify.json'),
      ranIn: join(root, 'dist/agent-lanes/f/api/.ran-in'),
      rescued: join(root, 'dist/agent-lanes/f/api/rescued'),
      waiting: join(root, 'dist/agent-lanes/f/api/waiting.json'),
      spend: join(root, 'dist/agent-lanes/f/api/spend.json'),
    });
  });

  it('reads nothing before the lane ran, and a torn result.json as missing', () => {
    const files = laneArtifactFiles(root, 'f', 'api');
    expect([readLaneResult(files), readLanePatch(files), readVerifyResult(files), readRanIn(files)]).toEqual([undefined, undefined, undefined, undefined]);
    mkdirSync(files.dir, { recursive: true });
    writeFileSync(files.result, '{"status": "do');
    expect(readLaneResult(files)).toBeUndefined();
  });

  it('reads back what it wrote, as pretty JSON with a final newline', () => {
    const files = laneArtifactFiles(root, 'f', 'api');
    mkdirSync(files.dir, { recursive: true });
    const result = { feature: 'f', lane: 'api', status: 'done' } as LaneResult;
    writeLaneResult(files, result);
    writeLanePatch(files, 'diff --git a/x b/x\n');
    writeRanIn(files, '123@456\n');
    expect(readFileSync(files.result, 'utf8')).toBe(`${JSON.stringify(result, null, 2)}\n`);
    expect(readLaneResult(files)).toEqual(result);
    expect(readLanePatch(files)).toBe('diff --git a/x b/x\n');
    expect(readRanIn(files)).toBe('123@456');
  });

  it('writes verify.json where the lane folder does not exist yet', () => {
    const files = laneArtifactFiles(root, 'f', 'web');
    const verify = { feature: 'f', lane: 'web', passed: false, reason: 'no result' } as VerifyResult;
    writeVerifyResult(files, verify);
    expect(readVerifyResult(files)).toEqual(verify);
  });
});

describe('integration artifacts', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'layout-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes result.json, report.md and report.html, each through the redaction', () => {
    const files = integrationArtifactFiles(root, 'f');
    expect(files).toEqual({
      dir: join(root, 'dist/agent-lanes/f/integration'),
      result: join(root, 'dist/agent-lanes/f/integration/result.json'),
      markdown: join(root, 'dist/agent-lanes/f/integration/report.md'),
      html: join(root, 'dist/agent-lanes/f/integration/report.html'),
    });
    writeIntegrationArtifacts(files, { report: { outcome: 'green', note: 'key s3cr3t' }, markdown: '# s3cr3t', html: '<p>s3cr3t</p>' }, (t) => t.split('s3cr3t').join('[redacted]'));
    expect(readIntegrationResult(files)).toEqual({ outcome: 'green', note: 'key [redacted]' });
    expect(readFileSync(files.markdown, 'utf8')).toBe('# [redacted]');
    expect(readFileSync(files.html, 'utf8')).toBe('<p>[redacted]</p>');
    expect(existsSync(files.dir)).toBe(true);
  });
});
