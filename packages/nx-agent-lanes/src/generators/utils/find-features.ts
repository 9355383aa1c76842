import { globAsync, type Tree } from '@nx/devkit';
import { parse } from 'jsonc-parser';
import { posix } from 'node:path';

/** Where a feature plan lives and the project name Nx gives it. */
export interface FeatureLocation {
  /** The `name` field of feature.jsonc, else its folder's name (as the plugin infers it). */
  name: string;
  /** Workspace-relative folder holding feature.jsonc ('' for the root). */
  root: string;
  /** Workspace-relative path of feature.jsonc. */
  file: string;
}

// The workspace glob already honours .gitignore, but files created in this same generator
// run come from the Tree unfiltered; dependencies and build output never hold plans.
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist']);

/** Every feature.jsonc in the workspace (including ones created earlier in this run), sorted by path. */
export async function findFeatures(tree: Tree): Promise<FeatureLocation[]> {
  const files = await globAsync(tree, ['**/feature.jsonc']);
  return files
    .filter((file) => !file.split('/').some((segment) => SKIPPED_FOLDERS.has(segment)))
    .sort()
    .map((file) => locateFeature({ file, text: tree.read(file, 'utf-8') ?? '' }));
}

/** Reads only the name: a plan with other problems still has a name to find it by. */
export function locateFeature(options: { file: string; text: string }): FeatureLocation {
  const root = posix.dirname(options.file) === '.' ? '' : posix.dirname(options.file);
  const parsed: unknown = parse(options.text, [], { allowTrailingComma: true });
  const declared =
    parsed !== null && typeof parsed === 'object' && 'name' in parsed ? (parsed as { name: unknown }).name : undefined;
  const name = typeof declared === 'string' && declared.trim() !== '' ? declared.trim() : posix.basename(root);
  return { name, root, file: options.file };
}

/** "a (features/a/feature.jsonc), b (...)" or "none yet", for error messages. */
export function describeFeatures(features: readonly FeatureLocation[]): string {
  if (features.length === 0) return 'none yet';
  return features.map((f) => `${f.name} (${f.file})`).join(', ');
}
