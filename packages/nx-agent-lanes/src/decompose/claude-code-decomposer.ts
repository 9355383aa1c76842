import { LanesError } from '../errors';
import type { Decomposer } from './decompose-types';

export function createClaudeCodeDecomposer(): Decomposer {
  return {
    name: 'claude-code',
    howToPropose: '',
    propose: async () => {
      throw new LanesError('decompose with claude-code is not available.');
    },
  };
}
