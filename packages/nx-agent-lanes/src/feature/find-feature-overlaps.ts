import type { PlanProblem } from '../errors';
import type { ReadFeatureResult } from './read-feature';
import { coversPattern, findPatternOverlap, forEachNestingPair, indexBase, isGlob, matchesAny, matchPattern } from '../ownership';

/** One `owns` entry of a lane, with where feature.jsonc writes it. */
export interface OwnedEntry {
  lane: string;
  /** Normalised, as the lane holds it. */
  pattern: string;
  line: number;
  column: number;
}

/** What the check across features needs of one valid feature. */
export interface FeatureOwnership {
  name: string;
  /** Workspace-relative path of its feature.jsonc. */
  file: string;
  owned: readonly OwnedEntry[];
  /** Each lane's `forbids`, by lane name: a forbidden path is not owned. */
  forbids: ReadonlyMap<string, readonly string[]>;
}

/** A valid feature's ownership as the check across features takes it; none for a plan with problems. */
export function describeFeatureOwnership(result: ReadFeatureResult): FeatureOwnership[] {
  const { feature, owned } = result;
  if (!feature || !owned) return [];
  return [{ name: feature.name, file: feature.file, owned, forbids: new Map(feature.lanes.map((l) => [l.name, l.forbids])) }];
}

export interface FindFeatureOverlapsOptions {
  /** Workspace files, listed only when two globs can share a file that no pattern names. */
  listFiles?: () => readonly string[];
}

interface Owned {
  feature: FeatureOwnership;
  entry: OwnedEntry;
}

/**
 * Files two features both own, as plan problems of both, each at its own `owns` entry. Two
 * feature branches that change one file conflict when both are merged, after both were paid
 * for and integrated green. Only entries whose static bases nest are compared: an index
 * by base finds them by walking each base's parent folders, not by pairing every pattern.
 */
export function findFeatureOverlaps(features: readonly FeatureOwnership[], options: FindFeatureOverlapsOptions = {}): PlanProblem[] {
  if (features.length < 2) return [];
  let files: readonly string[] | undefined;
  const listFiles = () => (files ??= options.listFiles?.() ?? []);
  const all: Owned[] = features.flatMap((feature) => feature.owned.map((entry) => ({ feature, entry })));
  const problems: PlanProblem[] = [];
  forEachNestingPair(
    all,
    (owned) => indexBase(owned.entry.pattern),
    (a, b) => {
      if (b.feature === a.feature) return;
      const path = findSharedPath(a, b, listFiles);
      if (path !== undefined) problems.push(describeOverlap(a, b, path), describeOverlap(b, a, path));
    },
  );
  return problems.sort((x, y) => x.file.localeCompare(y.file) || x.line - y.line || x.column - y.column);
}

function findSharedPath(a: Owned, b: Owned, listFiles: () => readonly string[]): string | undefined {
  const pa = a.entry.pattern;
  const pb = b.entry.pattern;
  const freeFile = (file: string) => !forbids(a, file) && !forbids(b, file);
  const certain = findPatternOverlap(pa, pb);
  if (certain !== undefined) {
    if (!isGlob(certain)) return freeFile(certain) ? certain : undefined;
    if (forbidsAll(a, certain) || forbidsAll(b, certain)) return undefined;
    // Every path of the glob is shared: a real file makes the message concrete.
    return listFiles().find((file) => matchPattern(certain, file) && freeFile(file)) ?? certain;
  }
  // Two globs that only partly meet (`**/*.ts`, `libs/*/x.*`) share a file only if one exists.
  if (!isGlob(pa) || !isGlob(pb)) return undefined;
  return listFiles().find((file) => matchPattern(pa, file) && matchPattern(pb, file) && freeFile(file));
}

function forbids(owned: Owned, path: string): boolean {
  return matchesAny(owned.feature.forbids.get(owned.entry.lane) ?? [], path);
}

function forbidsAll(owned: Owned, pattern: string): boolean {
  return (owned.feature.forbids.get(owned.entry.lane) ?? []).some((f) => coversPattern(f, pattern));
}

function describeOverlap(here: Owned, there: Owned, path: string): PlanProblem {
  const { entry, feature } = here;
  const other = there.feature;
  const theirs = there.entry.pattern === path ? '' : ` as \`${there.entry.pattern}\``;
  const ours = entry.pattern === path ? '' : ` (through \`${entry.pattern}\`)`;
  return {
    file: feature.file,
    line: entry.line,
    column: entry.column,
    message:
      `Features \`${feature.name}\` and \`${other.name}\` both own \`${path}\`: lane \`${entry.lane}\` here${ours}, and lane ` +
      `\`${there.entry.lane}\` of \`${other.name}\`${theirs} at ${other.file}:${there.entry.line}:${there.entry.column}. ` +
      'Their branches would conflict when both are merged: give the file to one feature only (remove it from `owns`, or add it to the lane\'s `forbids`, in one of the two plans).',
  };
}
