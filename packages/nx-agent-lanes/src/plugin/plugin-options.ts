import { LanesError } from '../errors';
import { DEFAULT_TARGET_NAMES, type TargetNames } from '../layout';

/**
 * Options of the plugin's entry in nx.json, as first-party plugins take them
 * (`{ "plugin": "nx-agent-lanes", "options": { "integrateTargetName": "ship" } }`). Only the names
 * a person types are configurable; a lane's own project keeps fixed `agent` and `verify` targets.
 */
export type AgentLanesPluginOptions = Partial<TargetNames>;

// Nx reads `a:b:c` as project:target:configuration, and takes some one-letter names as aliases.
const TARGET_NAME = /^[A-Za-z][A-Za-z0-9_-]+$/;

/** The target names to use, with a clear error naming nx.json for a bad option. */
export function normalizePluginOptions(options: unknown): TargetNames {
  if (options === undefined || options === null) return DEFAULT_TARGET_NAMES;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new LanesError('The nx-agent-lanes entry in nx.json has `options` that are not an object.', {
      hint: `Use e.g. { "plugin": "nx-agent-lanes", "options": { "integrateTargetName": "integrate" } }.`,
    });
  }
  const names: TargetNames = { ...DEFAULT_TARGET_NAMES };
  for (const [key, value] of Object.entries(options as Record<string, unknown>)) {
    if (!(key in DEFAULT_TARGET_NAMES)) {
      throw new LanesError(`nx.json: the nx-agent-lanes plugin has no option \`${key}\`.`, {
        hint: `Its options are: ${Object.keys(DEFAULT_TARGET_NAMES).join(', ')}.`,
      });
    }
    if (typeof value !== 'string' || !TARGET_NAME.test(value.replace(/-+$/, '') || '')) {
      throw new LanesError(`nx.json: nx-agent-lanes option \`${key}\` must be a target name (letters, digits, - and _, no colon); got ${JSON.stringify(value)}.`, {
        hint: `The default is "${DEFAULT_TARGET_NAMES[key as keyof TargetNames]}".`,
      });
    }
    names[key as keyof TargetNames] = value;
  }
  const fixed = [names.integrateTargetName, names.cleanTargetName];
  if (names.laneTargetPrefix === names.verifyTargetPrefix || new Set(fixed).size < fixed.length) {
    throw new LanesError('nx.json: nx-agent-lanes target names must differ from each other.', {
      hint: `They are: ${JSON.stringify(names)}.`,
    });
  }
  return names;
}
