import { DependencyType, type CreateDependencies, type RawProjectGraphDependency } from '@nx/devkit';
import { globBase } from '../feature/glob-base';
import { FEATURE_FILE_GLOB } from './create-nodes';
import { createFeatureReader } from './read-feature-from-disk';
import picomatch from 'picomatch';

/**
 * A feature depends on the projects holding its lanes' owned files, so `nx affected` marks
 * the feature when those projects change and not when unrelated ones do.
 */
export const createDependencies: CreateDependencies = (_options, context) => {
  const roots = Object.entries(context.projects)
    .map(([name, config]) => ({ name, root: config.root === '.' ? '' : config.root }))
    .sort((a, b) => b.root.length - a.root.length);
  const isFeatureFile = picomatch(FEATURE_FILE_GLOB, { dot: true });
  const reader = createFeatureReader(context.workspaceRoot, { reuseValidated: true });
  const dependencies: RawProjectGraphDependency[] = [];

  for (const [name, config] of Object.entries(context.projects)) {
    const file = `${config.root === '.' ? '' : `${config.root}/`}feature.jsonc`;
    if (!isFeatureFile(file) || !config.tags?.includes('agent-lanes:feature')) continue;
    const { feature } = reader.read(file);
    if (!feature) continue; // createNodes already reported it
    const targets = new Set<string>();
    for (const pattern of feature.lanes.flatMap((l) => l.owns)) {
      const owner = findOwningProject(roots, globBase(pattern));
      if (owner && owner !== name) targets.add(owner);
    }
    for (const target of [...targets].sort()) {
      dependencies.push({ source: name, target, type: DependencyType.implicit });
    }
  }
  return dependencies;
};

/** The project whose root is the longest prefix of `path` (the root project only as a last resort). */
export function findOwningProject(roots: Array<{ name: string; root: string }>, path: string): string | undefined {
  for (const { name, root } of roots) {
    if (root === '' || path === root || path.startsWith(`${root}/`)) return name;
  }
  return undefined;
}
