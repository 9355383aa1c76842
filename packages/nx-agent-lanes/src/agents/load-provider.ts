import type { AgentProvider } from '../feature/feature-types';
import type { AgentProviderImpl } from './provider';

/**
 * The provider a lane names, loaded on first use: the anthropic provider brings the Messages
 * API SDK (about a tenth of a second of CPU to load), which a command or claude-code lane never
 * needs. One instance per provider per process, so the lanes of a batch share it.
 */
export function loadProvider(name: AgentProvider): Promise<AgentProviderImpl | undefined> {
  let loading = loaded.get(name);
  if (!loading) {
    loading = importProvider(name);
    loaded.set(name, loading);
  }
  return loading;
}

const loaded = new Map<AgentProvider, Promise<AgentProviderImpl | undefined>>();

/** undefined for a name no provider has, so the lane runner's own error (naming the lane) reports it. */
async function importProvider(name: AgentProvider): Promise<AgentProviderImpl | undefined> {
  switch (name) {
    case 'anthropic':
      return (await import('./anthropic/anthropic-provider')).createAnthropicProvider();
    case 'claude-code':
      return (await import('./claude-code/claude-code-provider')).createClaudeCodeProvider();
    case 'command':
      return (await import('./command/command-provider')).createCommandProvider();
    default:
      return undefined;
  }
}

/** The providers a set of lanes uses, each loaded once: what runLane's `providers` option takes. */
export async function loadProviders(names: Iterable<AgentProvider>): Promise<Partial<Record<AgentProvider, AgentProviderImpl>>> {
  const unique = [...new Set(names)];
  const impls = await Promise.all(unique.map(loadProvider));
  return Object.fromEntries(unique.flatMap((name, i) => (impls[i] ? [[name, impls[i]]] : [])));
}
