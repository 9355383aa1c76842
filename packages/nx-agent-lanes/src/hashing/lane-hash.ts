import { createHash } from 'node:crypto';
import type { Feature, Lane } from '../feature/feature-types';
import type { LaneNotes } from '../notes/lane-notes';
import { matchesAny } from '../ownership';

/** Bump when the meaning of a lane's result changes, so old cache entries are not reused. */
export const LANE_HASH_VERSION = 1;

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with sorted keys, so a hash does not depend on key order in feature.jsonc. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Paths of `blobs` a lane's `owns` take, with their blob ids, sorted. Forbidden carve-outs stay
 * in: they are in the lane's declared inputs, and its agent builds against them.
 */
export function ownedBlobs(lane: Pick<Lane, 'owns'>, blobs: ReadonlyMap<string, string>): Array<[string, string]> {
  return [...blobs].filter(([path]) => matchesAny(lane.owns, path)).sort(([a], [b]) => (a < b ? -1 : 1));
}

export interface LaneHashInput {
  feature: Feature;
  lane: Lane;
  contract: string;
  spec: string;
  notes: LaneNotes;
  /** Owned files at the base commit: [path, blob id]. */
  owned: Array<[string, string]>;
  /** Hashes of the lane tasks this lane comes after. */
  upstream: string[];
  /** Environment that changes which model answers (never the API key). */
  env: { ANTHROPIC_BASE_URL?: string };
  overrides: unknown;
}

/**
 * What a lane's agent sees, and nothing about other lanes: the goal, the contract, this
 * lane's entry and spec and notes, its owned files at the base, and its upstream lanes.
 * Editing another lane, adding a lane or changing unrelated code leaves this hash alone.
 */
export function planLaneHash(input: LaneHashInput): { value: string; nodes: Record<string, string> } {
  const { feature, lane } = input;
  const nodes: Record<string, string> = {
    'nx-agent-lanes:version': String(LANE_HASH_VERSION),
    'feature:goal': sha256(feature.goal),
    'feature:setup': sha256(feature.setup ?? ''),
    [`contract:${feature.contractPath}`]: sha256(input.contract),
    [`lane:${lane.name}`]: sha256(stableStringify({ ...lane, specPath: lane.specPath })),
    [`spec:${lane.specPath}`]: sha256(input.spec),
    [`notes:${lane.name}`]: sha256(stableStringify(input.notes)),
    'owned-files': sha256(stableStringify(input.owned)),
    upstream: sha256(stableStringify(input.upstream)),
    env: sha256(stableStringify(input.env)),
    overrides: sha256(stableStringify(input.overrides ?? {})),
  };
  return { value: sha256(stableStringify(nodes)), nodes };
}

export interface VerifyHashInput {
  feature: Feature;
  lane: Lane;
  /** Hash of this lane's task and of its upstream lanes' tasks. */
  laneTaskHashes: string[];
  /** Tree id of the base commit: the tests run on exactly that tree plus the patches. */
  baseTree: string;
  overrides: unknown;
}

/**
 * Verification depends on the patches (through the lane task hashes), the whole base tree
 * (the tests may read anything), the lane's test and setup, and every lane's ownership
 * (a changed path must belong to no other lane).
 */
export function planVerifyHash(input: VerifyHashInput): { value: string; nodes: Record<string, string> } {
  const { feature, lane } = input;
  const nodes: Record<string, string> = {
    'nx-agent-lanes:version': String(LANE_HASH_VERSION),
    kind: 'verify',
    'lane-tasks': sha256(stableStringify(input.laneTaskHashes)),
    'base-tree': input.baseTree,
    [`test:${lane.name}`]: sha256(stableStringify({ test: lane.test, setup: feature.setup ?? '' })),
    ownership: sha256(stableStringify(feature.lanes.map((l) => [l.name, l.owns, l.forbids]))),
    overrides: sha256(stableStringify(input.overrides ?? {})),
  };
  return { value: sha256(stableStringify(nodes)), nodes };
}
