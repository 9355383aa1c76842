import {
  coversPattern,
  findPatternOverlap,
  foldersHolding,
  forEachNestingPair,
  globBase,
  indexBase,
  isGlob,
  isPathInside,
  matchesAny,
  matchPattern,
  normalizePattern,
  staticBases,
} from '../ownership';
import { findLaneCycles } from './plan-lanes';
import { type PlanContext, reportProblem } from './plan-context';
import type { LaneRead, PlanEntry } from './read-lane';
import { describeSuggestion } from './suggest-name';

export interface ValidateLanesOptions {
  /**
   * Workspace files: two globs overlap when one of these matches both. As a function, it is
   * called only when two lanes own globs whose folders nest: listing a large workspace is the
   * slowest part of reading a plan, and no other overlap needs the list.
   */
  repoFiles?: readonly string[] | (() => readonly string[]);
}

/** The checks that need every lane at once: names, `after`, and disjoint ownership. */
export function validateLanes(ctx: PlanContext, lanes: LaneRead[], options: ValidateLanesOptions = {}): void {
  checkNameCollisions(ctx, lanes);
  checkAfter(ctx, lanes);
  checkOwnForbids(ctx, lanes);
  checkDisjointOwnership(ctx, lanes, options.repoFiles ?? []);
}

function checkNameCollisions(ctx: PlanContext, lanes: LaneRead[]): void {
  const seen = new Map<string, string>();
  for (const lane of lanes) {
    const first = seen.get(lane.name.toLowerCase());
    if (first !== undefined && first !== lane.name) {
      reportProblem(ctx, lane.property, `Lanes \`${first}\` and \`${lane.name}\` differ only in case; their artifact folders would be one folder on case-insensitive file systems. Rename one.`);
    }
    if (first === undefined) seen.set(lane.name.toLowerCase(), lane.name);
  }
}

function checkAfter(ctx: PlanContext, lanes: LaneRead[]): void {
  const names = lanes.map((l) => l.name);
  const known = new Set(names);
  for (const lane of lanes) {
    for (const { value, node } of lane.after) {
      if (!known.has(value)) {
        reportProblem(
          ctx,
          node,
          `Lane \`${lane.name}\` runs after \`${value}\`, which is not a lane of this feature.` +
            `${describeSuggestion(value, names)} Its lanes are: ${names.join(', ')}.`,
        );
      }
    }
  }
  const byName = new Map(lanes.map((l) => [l.name, l]));
  const graph = lanes.map((l) => ({ name: l.name, after: l.after.map((a) => a.value) }));
  for (const cycle of findLaneCycles(graph)) {
    // Point at the entry that starts the cycle: `a`'s `after` naming `b`.
    const entry = byName.get(cycle[0])?.after.find((a) => a.value === cycle[1]);
    reportProblem(
      ctx,
      entry?.node,
      `Lanes wait for each other in a cycle: ${cycle.join(' -> ')}. Remove one of these \`after\` entries so the lanes can start.`,
    );
  }
}

/** A lane that forbids one of its own `owns` entries entirely: it could never change those files. */
function checkOwnForbids(ctx: PlanContext, lanes: LaneRead[]): void {
  for (const lane of lanes) {
    for (const owned of lane.owns) {
      const forbid = findForbidCovering(lane, owned.value);
      if (forbid) {
        reportProblem(
          ctx,
          forbid.node,
          `Lane \`${lane.name}\` owns \`${owned.value}\` and also forbids it (\`${forbid.value}\`): a lane cannot change a file it forbids. Remove it from \`owns\` or from \`forbids\`.`,
        );
      }
    }
  }
}

/**
 * The lane's `forbids` entry that takes every file `pattern` names, if any. A forbid that takes
 * only part of an owned glob is a carve-out (`owns: apps/web/**`, `forbids: apps/web/legacy/**`),
 * which is allowed: forbids win over owns.
 */
function findForbidCovering(lane: LaneRead, pattern: string): PlanEntry | undefined {
  return lane.forbids.find((f) => coversPattern(f.value, pattern));
}

function checkDisjointOwnership(ctx: PlanContext, lanes: LaneRead[], repoFiles: NonNullable<ValidateLanesOptions['repoFiles']>): void {
  const reported = new Set<string>();
  const report = (a: LaneRead, pa: PlanEntry, b: LaneRead, pb: PlanEntry, path: string): void => {
    const key = `${a.name}\n${pa.value}\n${b.name}\n${pb.value}`;
    if (reported.has(key)) return;
    reported.add(key);
    const what = path === pa.value && path === pb.value ? `\`${path}\`` : `\`${path}\` (lane \`${a.name}\` owns \`${pa.value}\`, lane \`${b.name}\` owns \`${pb.value}\`)`;
    reportProblem(
      ctx,
      pb.node,
      `Lanes \`${a.name}\` and \`${b.name}\` both own ${what}. Ownership must be disjoint so lanes never edit the same file: give it to one lane only.`,
    );
  };
  const owned = indexOwnedEntries(lanes);
  // Two lanes can only share a file under folders that nest, so only those pairs are compared.
  const pairs = findNestingEntryPairs(owned.entries);

  // Existing files first, so the message names a real file when there is one. A workspace
  // may hold tens of thousands of files: a cheap prefix test on each pattern's static base
  // spares most of the glob matching. An overlap with a literal path is found below without
  // the list (naming that path rather than a file in it), so a lazy list is asked for only
  // when two globs' folders nest.
  const files =
    typeof repoFiles !== 'function' ? repoFiles : pairs.some(({ a, b }) => isGlob(a.entry.value) && isGlob(b.entry.value)) ? repoFiles() : [];
  for (const file of filesUnder(files, staticBases(lanes.flatMap((l) => l.owns.map((o) => o.value))))) {
    const owners = findFileOwners(owned, file);
    for (const other of owners.slice(1)) report(owners[0].lane, owners[0].entry, other.lane, other.entry, file);
  }

  // Then overlaps that hold whatever files exist (same path, a literal under a glob, a glob
  // inside a directory the other lane owns), for files the lanes are about to create, in the
  // order of the lanes and their entries so that problems read as the plan does.
  for (const { a, b } of pairs) {
    const path = findPatternOverlap(a.entry.value, b.entry.value);
    if (path !== undefined && !findForbidCovering(a.lane, path) && !findForbidCovering(b.lane, path)) report(a.lane, a.entry, b.lane, b.entry, path);
  }
}

/** One `owns` entry with its place in the plan: lane `laneIndex`, entry `entryIndex` of it. */
interface OwnedEntryAt {
  lane: LaneRead;
  laneIndex: number;
  entry: PlanEntry;
  entryIndex: number;
  base: string;
}

interface OwnedIndex {
  /** In plan order: lane by lane, each lane's entries in order. */
  entries: OwnedEntryAt[];
  /** Entries by indexBase: a path is theirs only if one of its folders is the key. */
  byBase: Map<string, OwnedEntryAt[]>;
  forbids: Map<LaneRead, string[]>;
}

function indexOwnedEntries(lanes: readonly LaneRead[]): OwnedIndex {
  const entries = lanes.flatMap((lane, laneIndex) =>
    lane.owns.map((entry, entryIndex) => ({ lane, laneIndex, entry, entryIndex, base: globBase(entry.value) })),
  );
  const byBase = new Map<string, OwnedEntryAt[]>();
  for (const owned of entries) {
    const key = indexBase(normalizePattern(owned.entry.value));
    const list = byBase.get(key);
    if (list) list.push(owned);
    else byBase.set(key, [owned]);
  }
  return { entries, byBase, forbids: new Map(lanes.map((lane) => [lane, lane.forbids.map((f) => f.value)])) };
}

/** Each lane owning `file` (in plan order) with its first entry that takes it, unless the lane forbids it. */
function findFileOwners(owned: OwnedIndex, file: string): { lane: LaneRead; entry: PlanEntry }[] {
  const first = new Map<LaneRead, OwnedEntryAt>();
  for (const folder of foldersHolding(file)) {
    for (const candidate of owned.byBase.get(folder) ?? []) {
      const known = first.get(candidate.lane);
      if (known && known.entryIndex < candidate.entryIndex) continue;
      if (isPathInside(file, candidate.base) && matchPattern(candidate.entry.value, file)) first.set(candidate.lane, candidate);
    }
  }
  return [...first.values()]
    .filter((hit) => !matchesAny(owned.forbids.get(hit.lane) ?? [], file))
    .sort((x, y) => x.laneIndex - y.laneIndex)
    .map(({ lane, entry }) => ({ lane, entry }));
}

/** Entries of two different lanes whose bases nest, earlier lane first, sorted by lane then entry. */
function findNestingEntryPairs(entries: readonly OwnedEntryAt[]): { a: OwnedEntryAt; b: OwnedEntryAt }[] {
  const pairs: { a: OwnedEntryAt; b: OwnedEntryAt }[] = [];
  forEachNestingPair(
    entries,
    (owned) => indexBase(normalizePattern(owned.entry.value)),
    (x, y) => {
      if (x.lane !== y.lane) pairs.push(x.laneIndex < y.laneIndex ? { a: x, b: y } : { a: y, b: x });
    },
  );
  return pairs.sort((x, y) => x.a.laneIndex - y.a.laneIndex || x.b.laneIndex - y.b.laneIndex || x.a.entryIndex - y.a.entryIndex || x.b.entryIndex - y.b.entryIndex);
}

const sortedCopies = new WeakMap<readonly string[], string[]>();

/**
 * The files at or under any of `folders`, found by binary search in a sorted copy of the list
 * (made once per list): with hundreds of plans over one workspace, scanning every file for
 * every plan was most of the project graph's time.
 */
function filesUnder(repoFiles: readonly string[], folders: readonly string[]): string[] {
  if (folders.includes('')) return [...repoFiles];
  let sorted = sortedCopies.get(repoFiles);
  if (!sorted) {
    sorted = [...repoFiles].sort();
    sortedCopies.set(repoFiles, sorted);
  }
  const found = new Set<string>();
  for (const folder of folders) {
    // Everything under `folder/` sorts between `folder/` and `folder0` ('0' follows '/').
    for (let i = lowerBound(sorted, folder); i < sorted.length && sorted[i] < `${folder}0`; i++) {
      if (isPathInside(sorted[i], folder)) found.add(sorted[i]);
    }
  }
  return [...found];
}

function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
