import type { McpSdkServerConfigWithInstance } from '@anthropic-ai/claude-agent-sdk';
import type { LoadedAgentSdk } from '../agents/claude-code/load-agent-sdk';
import { DECOMPOSE_TOOLS, PROPOSE_TOOL, readProposeInput } from './decompose-tools';
import type { DecomposerInput } from './decompose-types';

/** The in-process MCP server propose_plan lives on, and the tool's full name as Claude Code calls it. */
export const DECOMPOSE_SERVER = 'decompose';
export const CLAUDE_PROPOSE_TOOL = `mcp__${DECOMPOSE_SERVER}__${PROPOSE_TOOL}`;

export interface ProposeServer {
  server: McpSdkServerConfigWithInstance;
  /** True once a proposal was accepted or no round is left: the session has nothing more to do. */
  done(): boolean;
}

/**
 * propose_plan for Claude Code: the anthropic tool's description and fields, each call checked by
 * `review` and answered with the validator's feedback (`isError` unless accepted). Always loaded,
 * so the model sees it without a ToolSearch.
 */
export function createProposeServer(loaded: LoadedAgentSdk, input: Pick<DecomposerInput, 'review'>): ProposeServer {
  const { sdk, z, version } = loaded;
  const definition = DECOMPOSE_TOOLS.find((tool) => tool.name === PROPOSE_TOOL);
  const fields = (definition?.input_schema.properties ?? {}) as Record<string, { description?: string }>;
  const describe = (name: string) => fields[name]?.description ?? name;
  let done = false;
  const text = (body: string, isError: boolean) => ({ content: [{ type: 'text' as const, text: body }], ...(isError ? { isError: true } : {}) });
  const propose = sdk.tool(
    PROPOSE_TOOL,
    definition?.description ?? 'Hand in the whole plan.',
    {
      feature_jsonc: z.string().describe(describe('feature_jsonc')),
      contract_md: z.string().describe(describe('contract_md')),
      lane_specs: z.record(z.string(), z.string()).describe(describe('lane_specs')),
    },
    async (args) => {
      if (done) return text('Your plan is handed in and the validator has answered: end your turn now, with no more tool calls.', false);
      const read = readProposeInput(args);
      if ('error' in read) return text(read.error, true);
      try {
        const review = await input.review(read.proposal);
        if (review.accepted || review.roundsLeft === 0) done = true;
        return text(review.feedback, !review.accepted);
      } catch (error) {
        return text(`${PROPOSE_TOOL} failed: ${error instanceof Error ? error.message : String(error)}`, true);
      }
    },
  );
  return {
    server: sdk.createSdkMcpServer({ name: DECOMPOSE_SERVER, version, tools: [propose], alwaysLoad: true }),
    done: () => done,
  };
}
