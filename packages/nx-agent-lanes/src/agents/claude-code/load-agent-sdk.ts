import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AgentError } from '../../errors';

/** The parts of `@anthropic-ai/claude-agent-sdk` (0.3.x) and of zod the provider uses. */
export type AgentSdk = typeof import('@anthropic-ai/claude-agent-sdk');
export type Zod = typeof import('zod');

export interface LoadedAgentSdk {
  sdk: AgentSdk;
  z: Zod;
  /** The SDK's package.json version, for the transcript. */
  version: string;
}

export const AGENT_SDK_PACKAGE = '@anthropic-ai/claude-agent-sdk';

/**
 * Loads the Agent SDK from the workspace (an optional peer dependency: only lanes of the
 * claude-code provider need it), and the zod it was installed with. `from` are the folders to
 * resolve from, nearest first. Node 20.19+ loads the SDK's ES module through `require`.
 */
export function loadAgentSdk(from: readonly string[]): LoadedAgentSdk {
  let entry: string;
  try {
    entry = require.resolve(AGENT_SDK_PACKAGE, { paths: [...from] });
  } catch {
    throw new AgentError(`The claude-code agent provider needs ${AGENT_SDK_PACKAGE}, which is not installed in this workspace.`, {
      hint: `Install it: npm install --save-dev ${AGENT_SDK_PACKAGE} (it brings Claude Code with it), or use the anthropic or command provider.`,
    });
  }
  try {
    const sdk = require(entry) as AgentSdk;
    const z = require(require.resolve('zod', { paths: [dirname(entry), ...from] })) as Zod;
    // Its exports map has no ./package.json: read the file beside the entry point.
    const version = (JSON.parse(readFileSync(join(dirname(entry), 'package.json'), 'utf8')) as { version: string }).version;
    return { sdk, z, version };
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new AgentError(`${AGENT_SDK_PACKAGE} is installed but could not be loaded: ${why}`, {
      hint: `Reinstall it with its peer dependencies (zod 4, @modelcontextprotocol/sdk): npm install --save-dev ${AGENT_SDK_PACKAGE}. It needs Node 20.19 or later.`,
    });
  }
}
