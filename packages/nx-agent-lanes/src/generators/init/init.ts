import { formatFiles, readNxJson, updateNxJson, type NxJsonConfiguration, type Tree } from '@nx/devkit';
import type { InitGeneratorSchema } from './schema';

/** The name users write in nx.json `plugins`, and the npm package name. */
export const PLUGIN_NAME = 'nx-agent-lanes';

interface NormalizedInitOptions {
  skipFormat: boolean;
}

function normalizeOptions(options: InitGeneratorSchema): NormalizedInitOptions {
  return { skipFormat: options.skipFormat ?? false };
}

/** Whether nx.json already lists the plugin, as a string or as `{ "plugin": ... }` (with options or not). */
export function isPluginRegistered(nxJson: NxJsonConfiguration): boolean {
  return (nxJson.plugins ?? []).some((entry) =>
    typeof entry === 'string' ? entry === PLUGIN_NAME : entry.plugin === PLUGIN_NAME,
  );
}

/**
 * What `nx add nx-agent-lanes` runs: registers the plugin in nx.json, once. An existing entry
 * is left as it is, options included, so rerunning never undoes a user's configuration.
 */
export async function initGenerator(tree: Tree, options: InitGeneratorSchema = {}): Promise<void> {
  const normalized = normalizeOptions(options);
  const nxJson: NxJsonConfiguration = readNxJson(tree) ?? {};
  if (isPluginRegistered(nxJson)) return;
  nxJson.plugins = [...(nxJson.plugins ?? []), { plugin: PLUGIN_NAME }];
  updateNxJson(tree, nxJson);
  if (!normalized.skipFormat) await formatFiles(tree);
}

export default initGenerator;
