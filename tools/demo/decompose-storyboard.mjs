/**
 * The decompose session of `npm run demo -- --from-goal`: what an agent does when it proposes the
 * export plan from the goal. It reads the workspace, proposes a first plan whose frontend lane also
 * registers the download route in apps/api/src/routes/index.js (a file the backend lane owns: the
 * validator refuses the overlap), then proposes the example's own plan, files as committed in
 * examples/export-story/features/export-feature. The plan is read here, when the demo runs, so the
 * session can never drift from the plan the lane sessions of the story are written against.
 *
 * In Claude Code's tools (`--agent claude-code`): `Read` and `Glob` on the snapshot, and the
 * propose tool on decompose's MCP server, which Claude Code defers until a `ToolSearch` loads it
 * (one turn of its own, as src/decompose/claude-code-decomposer.ts expects).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { CONTESTED_FILE, FEATURE, readExamplePlan } = require('./decompose-step.js');

/** The line of the decompose system prompt that names the feature (src/decompose/build-decompose-prompt.ts). */
export const decomposeLine = (feature) => `You are proposing the plan of feature \`${feature}\``;

/** Claude Code's name of propose_plan: the tool of decompose's in-process MCP server. */
export const CLAUDE_CODE_PROPOSE_TOOL = 'mcp__decompose__propose_plan';

const say = (text) => ({ type: 'text', text });
const tool = (name, input) => ({ type: 'tool_use', name, input });
const turn = (latencyMs, ...content) => ({ latencyMs, content });

/** The files of a plan as `propose_plan` takes them: feature.jsonc, contract.md, and each lane's spec by lane name. */
function proposePlan(files, name = 'propose_plan') {
  const laneSpecs = Object.fromEntries(
    Object.entries(files)
      .filter(([path]) => path.startsWith('lanes/'))
      .map(([path, text]) => [path.slice('lanes/'.length, -'.md'.length), text]),
  );
  return tool(name, { feature_jsonc: files['feature.jsonc'], contract_md: files['contract.md'], lane_specs: laneSpecs });
}

/** `text` with `from` replaced by `to`, where `from` must occur exactly once. */
function replaceOnce(text, from, to, where) {
  if (text.split(from).length !== 2) throw new Error(`${where}: expected ${JSON.stringify(from)} exactly once`);
  return text.replace(from, () => to);
}

/**
 * The first proposal: the example's plan, but the frontend lane also owns the routes index (to
 * register the download route itself) and no longer forbids apps/api: an overlap with backend.
 */
export function buildFirstDraft(files) {
  const where = 'the first draft of features/export-feature/feature.jsonc';
  let plan = replaceOnce(
    files['feature.jsonc'],
    '"owns": ["apps/web/src/export-button.js", "apps/web/src/export-button.test.js", "apps/web/src/account-page.js"],',
    `"owns": ["apps/web/src/export-button.js", "apps/web/src/export-button.test.js", "apps/web/src/account-page.js", "${CONTESTED_FILE}"],`,
    where,
  );
  plan = replaceOnce(plan, '"forbids": ["apps/api/**", "libs/**"],', '"forbids": ["libs/**"],', where);
  return { ...files, 'feature.jsonc': plan };
}

/**
 * The scripted decompose session, matched on the decompose system prompt of the feature, in the
 * tools of `agent`'s decompose provider: `anthropic` (the plugin's read-only tools) or `claude-code`.
 */
export function buildDecomposeSession({ agent = 'anthropic', files = readExamplePlan() } = {}) {
  const claudeCode = agent === 'claude-code';
  if (!claudeCode && agent !== 'anthropic') throw new Error(`No decompose session for agent ${agent}: anthropic or claude-code`);
  const propose = (plan) => proposePlan(plan, claudeCode ? CLAUDE_CODE_PROPOSE_TOOL : 'propose_plan');
  const reads = claudeCode
    ? [tool('Glob', { pattern: 'apps/**/*' }), tool('Read', { file_path: 'libs/data/src/index.js' }), tool('Read', { file_path: CONTESTED_FILE })]
    : [tool('list_files', { path: 'apps' }), tool('read_file', { path: 'libs/data/src/index.js' }), tool('read_file', { path: CONTESTED_FILE })];
  const loadPropose = turn(150, say('Loading the tool that hands the plan in.'), tool('ToolSearch', { query: `select:${CLAUDE_CODE_PROPOSE_TOOL}`, max_results: 1 }));
  return {
    name: 'decompose',
    match: { contains: decomposeLine(FEATURE) },
    turns: [
      turn(300, say('Reading the workspace first: the apps, the data layer every export reads, and how the API registers its routes.'), ...reads),
      ...(claudeCode ? [loadPropose] : []),
      turn(
        500,
        say(
          'Four lanes along the seams: backend (the route), export-logic (a new libs/export), frontend (the download ' +
            'button) and docs. The frontend needs the route registered, so it takes routes/index.js as well.',
        ),
        propose(buildFirstDraft(files)),
      ),
      turn(
        500,
        say(
          `The validator is right: ${CONTESTED_FILE} is the backend's, which registers its own route. The frontend ` +
            'only calls the endpoint the contract names, so it owns the web files alone and forbids apps/api again.',
        ),
        propose(files),
      ),
      // Not requested when the validator accepts the plan: its verdict ends the session.
      turn(100, say('The plan is accepted: four lanes with disjoint files, a test each, and the contract between them.')),
    ],
  };
}
