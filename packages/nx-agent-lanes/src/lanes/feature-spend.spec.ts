import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testFeature, testLane } from '../__fixtures__/lane-fixture';
import { laneArtifactFiles } from '../layout';
import { readFeatureSpend, writeLiveSpend } from './feature-spend';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-spend-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const feature = testFeature([testLane('a', ['a/**']), testLane('b', ['b/**']), testLane('c', ['c/**'])]);
const attempt = (startedAt: string, costUsd: number) => ({ outcome: 'done', startedFrom: 'fresh', startedAt, endedAt: startedAt, durationMs: 1, turns: 1, tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, costUsd, usageSource: 'proxy', agentRuns: 1 });
const writeResult = (lane: string, attempts: unknown[]) => {
  const files = laneArtifactFiles(root, 'f', lane);
  mkdirSync(files.dir, { recursive: true });
  writeFileSync(files.result, JSON.stringify({ feature: 'f', lane, status: 'done', turns: 1, tokens: {}, costUsd: 0, attempts }));
};

describe('readFeatureSpend', () => {
  it('sums every attempt of the other lanes, adds a run going on now, and never a run already in its result', () => {
    writeResult('a', [attempt('2026-12-01T10:00:00.000Z', 0.02), attempt('2026-12-01T11:00:00.000Z', 0.03)]);
    writeResult('b', [attempt('2026-12-01T10:00:00.000Z', 0.01)]);
    // b is running again now; c has no result yet but is running too.
    writeLiveSpend(laneArtifactFiles(root, 'f', 'b').spend, { startedAt: '2026-12-01T12:00:00.000Z', costUsd: 0.004 });
    mkdirSync(laneArtifactFiles(root, 'f', 'c').dir, { recursive: true });
    writeLiveSpend(laneArtifactFiles(root, 'f', 'c').spend, { startedAt: '2026-12-01T12:00:00.000Z', costUsd: 0.007 });
    const spend = readFeatureSpend(root, feature, 'c', 0.5);
    expect(spend).toEqual({ c: 0.5, a: 0.05, b: 0.014 });

    // b's run ended: its attempt carries the same start, and the spend file is not counted twice.
    writeResult('b', [attempt('2026-12-01T10:00:00.000Z', 0.01), attempt('2026-12-01T12:00:00.000Z', 0.004)]);
    expect(readFeatureSpend(root, feature, 'c', 0).b).toBeCloseTo(0.014, 6);
  });

  it('counts nothing for lanes that never ran, and survives a torn spend file', () => {
    mkdirSync(laneArtifactFiles(root, 'f', 'a').dir, { recursive: true });
    writeFileSync(laneArtifactFiles(root, 'f', 'a').spend, '{"startedAt": "2026');
    expect(readFeatureSpend(root, feature, 'b', 0)).toEqual({ b: 0 });
  });
});
