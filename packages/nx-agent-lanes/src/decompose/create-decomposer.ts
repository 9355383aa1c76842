import { LanesError } from '../errors';
import { createAnthropicDecomposer } from './anthropic-decomposer';
import { createCommandDecomposer } from './command-decomposer';
import type { DecomposeProviderName, Decomposer } from './decompose-types';

export const DECOMPOSE_PROVIDERS: readonly DecomposeProviderName[] = ['anthropic', 'claude-code', 'command'];

/** The decomposer of a provider; the Agent SDK is loaded only when claude-code is asked for. */
export function createDecomposer(provider: string, command?: string): Decomposer {
  switch (provider) {
    case 'anthropic':
      return createAnthropicDecomposer();
    case 'claude-code': {
      const { createClaudeCodeDecomposer } = require('./claude-code-decomposer') as typeof import('./claude-code-decomposer');
      return createClaudeCodeDecomposer();
    }
    case 'command':
      if (!command?.trim()) {
        throw new LanesError('--provider command needs --command: the agent or script that writes the proposal.\n' +
          'For example: --command "node tools/propose-plan.mjs" (it gets the prompt on standard input and in $DECOMPOSE_PROMPT_FILE, and writes into $DECOMPOSE_OUTPUT_DIR).');
      }
      return createCommandDecomposer(command.trim());
    default:
      throw new LanesError(`--provider ${provider} is not a decompose provider: use ${DECOMPOSE_PROVIDERS.join(', ')}.`);
  }
}
