import {
  formatFiles,
  generateFiles,
  getProjects,
  joinPathFragments,
  normalizePath,
  offsetFromRoot,
  type Tree,
} from '@nx/devkit';
import { join, posix } from 'node:path';
import { LanesError } from '../../errors';
import { DEFAULT_AGENT } from '../../feature/default-agent';
import { assertPlainName } from '../utils/assert-plain-name';
import { describeFeatures, findFeatures } from '../utils/find-features';
import type { FeatureGeneratorSchema } from './schema';

export interface NormalizedFeatureOptions {
  name: string;
  /** Workspace-relative posix folder of the plan, without `./` or a trailing slash. */
  directory: string;
  goal: string;
  skipFormat: boolean;
}

export const DEFAULT_FEATURES_FOLDER = 'features';

/** Where users find the JSON schema once the plugin is installed (the build copies it to the package root). */
const SCHEMA_IN_PACKAGE = 'node_modules/nx-agent-lanes/feature.schema.json';

/** The folder as typed, made workspace-relative; a path outside the workspace is refused. */
function normalizeDirectory(directory: string): string {
  const cleaned = posix.normalize(normalizePath(directory.trim())).replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (cleaned === '' || cleaned === '.' || posix.isAbsolute(cleaned) || cleaned.split('/').includes('..')) {
    throw new LanesError(
      `"${directory}" is not a folder inside the workspace: give a path relative to the workspace root, such as "features/export-csv".`,
    );
  }
  return cleaned;
}

export function normalizeOptions(options: FeatureGeneratorSchema): NormalizedFeatureOptions {
  const name = (options.name ?? '').trim();
  assertPlainName({ kind: 'feature', value: name });
  const goal = options.goal?.trim();
  return {
    name,
    directory: normalizeDirectory(options.directory ?? joinPathFragments(DEFAULT_FEATURES_FOLDER, name)),
    goal: goal ? goal : `TODO: say in one sentence what ${name} lets users do.`,
    skipFormat: options.skipFormat ?? false,
  };
}

// Nx prints only an error's message (no hint, no stack unless --verbose), so each message
// carries its next step on a second line.

/** Refuses a folder that already holds a plan, and a name another plan already uses. */
export async function assertFeatureIsNew(tree: Tree, options: NormalizedFeatureOptions): Promise<void> {
  const file = joinPathFragments(options.directory, 'feature.jsonc');
  if (tree.exists(file)) {
    throw new LanesError(
      `${file} already exists: ${options.directory} already holds a feature plan.\n` +
        `Edit it, add lanes with \`nx g nx-agent-lanes:lane\`, or choose another --directory.`,
    );
  }
  const sameName = (await findFeatures(tree)).filter((feature) => feature.name === options.name);
  if (sameName.length > 0) {
    throw new LanesError(
      `A feature named "${options.name}" already exists: ${describeFeatures(sameName)}. Feature names are Nx project names and must be unique.\n` +
        `Choose another name, or add lanes to it with \`nx g nx-agent-lanes:lane ${options.name} <lane>\`.`,
    );
  }
  // A feature is an Nx project too; Nx refuses two projects with one name.
  const project = getProjects(tree).get(options.name);
  if (project) {
    throw new LanesError(
      `"${options.name}" is already the name of the Nx project in ${project.root}; a feature needs a name of its own.`,
    );
  }
}

/**
 * Scaffolds a feature plan: feature.jsonc (commented so that it teaches its own format),
 * contract.md and an empty lanes/ folder. Lanes come next, from the lane generator.
 */
export async function featureGenerator(tree: Tree, options: FeatureGeneratorSchema): Promise<void> {
  const normalized = normalizeOptions(options);
  await assertFeatureIsNew(tree, normalized);
  generateFiles(tree, join(__dirname, 'files'), normalized.directory, {
    name: normalized.name,
    goal: normalized.goal,
    // The plugin names a feature after its folder unless feature.jsonc says otherwise.
    declareName: posix.basename(normalized.directory) !== normalized.name,
    schemaPath: `${offsetFromRoot(normalized.directory)}${SCHEMA_IN_PACKAGE}`,
    agent: DEFAULT_AGENT,
  });
  if (!normalized.skipFormat) await formatFiles(tree);
}

export default featureGenerator;
