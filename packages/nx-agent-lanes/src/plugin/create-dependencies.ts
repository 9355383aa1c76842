import { DependencyType, type CreateDependencies, type RawProjectGraphDependency } from '@nx/devkit';
import picomatch from 'picomatch';
import { foldersHolding, isPathInside, staticBases } from '../ownership';
import type { Feature, Lane } from '../feature/feature-types';
import { LANE_AGENT_TARGET } from '../layout';
import { FEATURE_FILE_GLOB } from './create-nodes';
import { FEATURE_TAG, LANE_TAG } from './feature-targets';
import { createFeatureReader } from './read-feature-from-disk';

const isFeatureFile = picomatch(FEATURE_FILE_GLOB, { dot: true });

/**
 * A feature, and each of its lanes, depends on the projects holding the lanes' owned files, so
 * `nx affected` marks the feature when those projects change and not when unrelated ones do.
 * Nothing depends on a lane project (see NO_INPUTS in feature-targets.ts).
 */
export const createDependencies: CreateDependencies = (_options, context) => {
  const roots = Object.entries(context.projects)
    .filter(([, config]) => !config.tags?.includes(LANE_TAG) && !config.tags?.includes(FEATURE_TAG))
    .map(([name, config]) => ({ name, root: config.root === '.' ? '' : config.root }))
    .sort((a, b) => b.root.length - a.root.length);
  const reader = createFeatureReader(context.workspaceRoot, { reuseValidated: true });
  // Each lane project names its feature.jsonc: read each file once, not once per lane.
  const lanesByFile = new Map<string, Map<string, Lane> | undefined>();
  const readLanes = (file: string) => {
    if (!lanesByFile.has(file)) lanesByFile.set(file, indexLanes(reader.read(file).feature));
    return lanesByFile.get(file);
  };
  const dependencies: RawProjectGraphDependency[] = [];
  const dependOn = (source: string, patterns: readonly string[]) => {
    for (const target of findOwnedProjects(roots, patterns)) dependencies.push({ source, target, type: DependencyType.implicit });
  };

  for (const [name, config] of Object.entries(context.projects)) {
    if (config.tags?.includes(FEATURE_TAG)) {
      const lanes = readLanes(`${config.root === '.' ? '' : `${config.root}/`}feature.jsonc`);
      if (lanes) dependOn(name, [...lanes.values()].flatMap((l) => l.owns));
    } else if (config.tags?.includes(LANE_TAG)) {
      const { featureFile, lane: laneName } = (config.targets?.[LANE_AGENT_TARGET]?.options ?? {}) as { featureFile?: string; lane?: string };
      if (!featureFile || !isFeatureFile(featureFile)) continue;
      const lane = laneName === undefined ? undefined : readLanes(featureFile)?.get(laneName);
      if (lane) dependOn(name, lane.owns); // else createNodes already reported it
    }
  }
  return dependencies;
};

function indexLanes(feature: Feature | undefined): Map<string, Lane> | undefined {
  return feature && new Map(feature.lanes.map((l) => [l.name, l]));
}

/**
 * The projects that hold files `patterns` can match, sorted: through each static base, the
 * project whose root holds the base and every project whose root lies inside it, since
 * `libs/{a,b}/src/**` (base `libs`) reaches libs/a and libs/b, not only a project above them.
 * `roots` must be sorted longest first.
 */
export function findOwnedProjects(roots: Array<{ name: string; root: string }>, patterns: readonly string[]): string[] {
  const index = indexRoots(roots);
  const found = new Set<string>();
  for (const base of staticBases(patterns)) {
    const holder = findOwningProject(roots, base);
    if (holder) found.add(holder);
    for (const name of findProjectsInside(index, base)) found.add(name);
  }
  return [...found].sort();
}

/** The project whose root is the longest prefix of `path` (the root project only as a last resort). */
export function findOwningProject(roots: Array<{ name: string; root: string }>, path: string): string | undefined {
  const { byRoot } = indexRoots(roots);
  // Innermost folder first: the first root found is the longest one holding `path`.
  for (const folder of foldersHolding(path)) {
    const name = byRoot.get(folder);
    if (name !== undefined) return name;
  }
  return undefined;
}

interface RootIndex {
  byRoot: Map<string, string>;
  /** Roots other than the workspace's, sorted, with their projects. */
  sorted: Array<{ name: string; root: string }>;
}

// Every lane of a plan asks about the same roots: index them once per list, not per lane, since
// a monorepo of a thousand projects times a plan of thousands of lanes is millions of prefix tests.
const rootIndexes = new WeakMap<readonly { name: string; root: string }[], RootIndex>();

function indexRoots(roots: Array<{ name: string; root: string }>): RootIndex {
  let index = rootIndexes.get(roots);
  if (!index) {
    const byRoot = new Map<string, string>();
    for (const { name, root } of roots) if (!byRoot.has(root)) byRoot.set(root, name);
    const sorted = roots.filter(({ root }) => root !== '').sort((x, y) => (x.root < y.root ? -1 : x.root > y.root ? 1 : 0));
    index = { byRoot, sorted };
    rootIndexes.set(roots, index);
  }
  return index;
}

/** Projects whose root is `base` or lies inside it, found by binary search in the sorted roots. */
function findProjectsInside({ sorted }: RootIndex, base: string): string[] {
  if (base === '') return sorted.map(({ name }) => name);
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid].root < base) lo = mid + 1;
    else hi = mid;
  }
  const names: string[] = [];
  // Everything under `base/` sorts between `base` and `base0` ('0' follows '/').
  for (let i = lo; i < sorted.length && sorted[i].root < `${base}0`; i++) {
    if (isPathInside(sorted[i].root, base)) names.push(sorted[i].name);
  }
  return names;
}
