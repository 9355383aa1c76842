import type Anthropic from '@anthropic-ai/sdk';
import { LANE_TOOLS } from '../agents/anthropic/lane-tool-definitions';
import { cacheTools } from '../agents/anthropic/build-turn-request';
import type { Proposal } from './decompose-types';

export const PROPOSE_TOOL = 'propose_plan';

const READ_ONLY = new Set(['read_file', 'list_files', 'search']);

/** decompose's tools: the lane tools that only read (here on the workspace's snapshot), and propose_plan. */
export const DECOMPOSE_TOOLS: readonly Anthropic.Tool[] = cacheTools([
  ...LANE_TOOLS.filter((tool) => READ_ONLY.has(tool.name)),
  {
    name: PROPOSE_TOOL,
    description:
      'Hand in the whole plan. The validator checks it at once: the result says it is accepted (then you are done), ' +
      'or lists every problem, located as file:line:column, for you to fix and propose the whole plan again.',
    input_schema: {
      type: 'object',
      properties: {
        feature_jsonc: { type: 'string', description: 'The full text of feature.jsonc.' },
        contract_md: { type: 'string', description: 'The full text of contract.md.' },
        lane_specs: {
          type: 'object',
          description: 'Each lane\'s spec, lanes/<lane>.md, by lane name: {"backend": "# Lane: backend\\n..."}.',
          additionalProperties: { type: 'string' },
        },
      },
      required: ['feature_jsonc', 'contract_md', 'lane_specs'],
    },
  },
]);

/** The tool's input as plan files, or what is wrong with it. */
export function readProposeInput(input: unknown): { proposal: Proposal } | { error: string } {
  const fields = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  if (typeof fields.feature_jsonc !== 'string') return { error: 'propose_plan needs `feature_jsonc`, the text of feature.jsonc.' };
  if (typeof fields.contract_md !== 'string') return { error: 'propose_plan needs `contract_md`, the text of contract.md.' };
  const specs = fields.lane_specs;
  if (typeof specs !== 'object' || specs === null || Array.isArray(specs)) return { error: 'propose_plan needs `lane_specs`: an object of lane name to spec text.' };
  const files: Record<string, string> = { 'feature.jsonc': fields.feature_jsonc, 'contract.md': fields.contract_md };
  for (const [lane, text] of Object.entries(specs)) {
    if (typeof text !== 'string') return { error: `lane_specs.${lane} must be the spec's text.` };
    files[`lanes/${lane}.md`] = text;
  }
  return { proposal: { files } };
}
