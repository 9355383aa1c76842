import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Feature } from '../feature/feature-types';
import { laneArtifactFiles, listLaneAttempts, readLaneResult, sumLaneAttempts } from '../layout';

/** What a running lane's proxy has counted so far, beside its artifacts. */
export interface LiveSpend {
  /** When that run started (its attempt will carry the same time once it ends). */
  startedAt: string;
  costUsd: number;
}

/** Rewrites the running lane's spend.json at once (no reader sees half a file). */
export function writeLiveSpend(file: string, spend: LiveSpend): void {
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(spend)}\n`);
  renameSync(partial, file);
}

function readLiveSpend(file: string): LiveSpend | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<LiveSpend>;
    return typeof value.startedAt === 'string' && typeof value.costUsd === 'number' ? { startedAt: value.startedAt, costUsd: value.costUsd } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What the feature's other lanes spent, by lane, for its `featureBudgetUsd`: every attempt their
 * result.json records, plus what a run of theirs going on now (or killed before it wrote its
 * result) has counted in its spend.json. `own` is this lane's earlier attempts.
 */
export function readFeatureSpend(workspaceRoot: string, feature: Feature, lane: string, own: number): Record<string, number> {
  const byLane: Record<string, number> = { [lane]: own };
  for (const other of feature.lanes) {
    if (other.name === lane) continue;
    const files = laneArtifactFiles(workspaceRoot, feature.name, other.name);
    const attempts = listLaneAttempts(readLaneResult(files));
    const live = readLiveSpend(files.spend);
    const latest = attempts.reduce<string | undefined>((max, a) => (max === undefined || a.startedAt > max ? a.startedAt : max), undefined);
    const running = live && (latest === undefined || live.startedAt > latest) ? live.costUsd : 0;
    const total = sumLaneAttempts(attempts).costUsd + running;
    if (total > 0) byLane[other.name] = total;
  }
  return byLane;
}
