import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HookCallbackMatcher, Options, SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { QUIET_ENV, STDERR_TAIL } from '../agents/claude-code/claude-code-provider';
import { loadAgentSdk, type LoadedAgentSdk } from '../agents/claude-code/load-agent-sdk';
import { definedOnly } from '../stage/lane-process-runner';
import { createLineSplitter } from '../agents/split-lines';
import { decideClaudeDecomposeResult } from './claude-code-decompose-result';
import { CLAUDE_PROPOSE_TOOL, createProposeServer, type ProposeServer } from './claude-code-propose-tool';
import { guardSnapshotRead, READ_TOOL_MATCHER } from './claude-code-read-guard';
import { createTurnLogger } from './claude-code-turn-log';
import type { Decomposer, DecomposerInput, DecomposerResult } from './decompose-types';

export interface ClaudeCodeDecomposerOptions {
  /** Loads the Agent SDK; default from the workspace, the process's cwd and the plugin. */
  loadSdk?: (from: readonly string[]) => LoadedAgentSdk;
}

/** Claude Code's built-in tools decompose's agent gets: reading and searching, nothing that writes or runs. */
const READ_ONLY_TOOLS = ['Read', 'Glob', 'Grep', 'ToolSearch'];

const HOW_TO_PROPOSE =
  `Call the \`${CLAUDE_PROPOSE_TOOL}\` tool with the text of feature.jsonc, contract.md and each lane's spec ` +
  '(load it with ToolSearch if it is not listed). Its result is the validator\'s verdict: fix every problem it lists and call it again ' +
  'with the whole plan; once it says the plan is accepted, or that no round is left, end your turn.';

const NUDGE = `You ended your turn without handing in an accepted plan. Read what you need, then hand in the whole plan with \`${CLAUDE_PROPOSE_TOOL}\`.`;

/**
 * decompose on Claude Code, through the Agent SDK: read-only in the workspace's snapshot (Read,
 * Glob and Grep, refused outside it once links are followed; no shell, no writes), handing in its
 * plan with propose_plan on an in-process MCP server, reaching the model through the metering
 * proxy, its session in the scratch folder. Not sandboxed: the agent runs no command.
 */
export function createClaudeCodeDecomposer(options: ClaudeCodeDecomposerOptions = {}): Decomposer {
  return { name: 'claude-code', howToPropose: HOW_TO_PROPOSE, propose: (input) => proposeWithClaudeCode(input, options.loadSdk ?? loadAgentSdk) };
}

async function proposeWithClaudeCode(input: DecomposerInput, loadSdk: (from: readonly string[]) => LoadedAgentSdk): Promise<DecomposerResult> {
  if (input.signal.aborted) return { status: 'failed', reason: 'interrupted' };
  const loaded = loadSdk([input.workspaceRoot, process.cwd(), __dirname]);
  const configDir = join(input.scratchDir, 'claude');
  mkdirSync(configDir, { recursive: true });
  const proposer = createProposeServer(loaded, input);
  const stderrTail: string[] = [];
  input.log(`starting Claude Code (Agent SDK ${loaded.version}) with ${input.agent.model}, read-only in the workspace's snapshot`);

  const prompt = `${input.task.trimEnd()}\n\nHand in your plan with the \`${CLAUDE_PROPOSE_TOOL}\` tool (load it with ToolSearch if it is not listed).\n`;
  let run = await runSession({ input, loaded, proposer, configDir, stderrTail, prompt });
  // A model that ends its turn without an accepted plan and rounds left is asked once more, in the same session.
  if (!proposer.done() && !input.signal.aborted && run.result?.subtype === 'success' && !run.result.is_error && run.sessionId) {
    const meter = input.meter();
    const turnsLeft = input.agent.maxTurns - meter.turns;
    const budgetLeft = input.agent.budgetUsd - meter.costUsd;
    if (turnsLeft > 0 && budgetLeft > 0) {
      input.log(`the agent ended without an accepted plan: asking it once more to hand one in with ${CLAUDE_PROPOSE_TOOL}`);
      run = await runSession({ input, loaded, proposer, configDir, stderrTail, prompt: NUDGE, resume: run.sessionId, limits: { maxTurns: turnsLeft, maxBudgetUsd: budgetLeft } });
    }
  }
  return decideClaudeDecomposeResult({ proposed: proposer.done(), interrupted: input.signal.aborted, result: run.result, thrown: run.thrown, stderrTail });
}

interface SessionOptions {
  input: DecomposerInput;
  loaded: LoadedAgentSdk;
  proposer: ProposeServer;
  configDir: string;
  stderrTail: string[];
  prompt: string;
  resume?: string;
  limits?: { maxTurns: number; maxBudgetUsd: number };
}

interface SessionEnd {
  result?: SDKResultMessage;
  thrown?: unknown;
  sessionId?: string;
}

/** One query() of Claude Code, ended and its process gone before it returns. */
async function runSession(options: SessionOptions): Promise<SessionEnd> {
  const { input, loaded, proposer } = options;
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  input.signal.addEventListener('abort', onAbort, { once: true });
  const logTurn = createTurnLogger(input);
  const query = loaded.sdk.query({ prompt: options.prompt, options: buildQueryOptions(options, abort) });
  const end: SessionEnd = {};
  try {
    for await (const message of query) {
      if ('session_id' in message && typeof message.session_id === 'string') end.sessionId = message.session_id;
      if (message.type === 'result') end.result = message;
      else if (message.type === 'assistant') {
        logTurn(message);
        // The PostToolUse hook ends the session after the last proposal; a model answering anyway is stopped here.
        if (proposer.done() && !message.message.content.some((block) => block.type === 'tool_use' && block.name === CLAUDE_PROPOSE_TOOL)) abort.abort();
      }
    }
  } catch (error) {
    // query() throws after a max-turns or max-budget result (the result already said so) and on abort.
    end.thrown = error;
  } finally {
    input.signal.removeEventListener('abort', onAbort);
    query.close();
  }
  return end;
}

function buildQueryOptions(options: SessionOptions, abort: AbortController): Options {
  const { input, proposer, stderrTail } = options;
  const { agent } = input;
  // Claude Code's stderr arrives in chunks; whole lines are kept and shown.
  const stderrLines = createLineSplitter((line) => {
    stderrTail.push(line);
    if (stderrTail.length > STDERR_TAIL) stderrTail.shift();
    input.log(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
  });
  const refuse = (toolName: string, reason: string) => {
    input.log(`refused ${toolName}: ${reason}`);
    return { hookSpecificOutput: { hookEventName: 'PreToolUse' as const, permissionDecision: 'deny' as const, permissionDecisionReason: reason } };
  };
  const guardReads: HookCallbackMatcher = {
    matcher: READ_TOOL_MATCHER,
    hooks: [
      async (hookInput) => {
        if (hookInput.hook_event_name !== 'PreToolUse') return {};
        if (proposer.done()) return refuse(hookInput.tool_name, 'Your plan is handed in: end your turn now.');
        const verdict = await guardSnapshotRead({ readRoot: input.readRoot, toolName: hookInput.tool_name, toolInput: hookInput.tool_input });
        return verdict.allow ? {} : refuse(hookInput.tool_name, verdict.reason);
      },
    ],
  };
  // After the proposal that ends the session, Claude Code stops without asking the model again.
  const stopAfterLastProposal: HookCallbackMatcher = {
    matcher: CLAUDE_PROPOSE_TOOL,
    hooks: [async () => (proposer.done() ? { continue: false, stopReason: 'decompose: the validator gave its last verdict' } : {})],
  };
  return {
    cwd: input.readRoot,
    model: agent.model,
    maxTurns: options.limits?.maxTurns ?? agent.maxTurns,
    maxBudgetUsd: options.limits?.maxBudgetUsd ?? agent.budgetUsd,
    env: definedOnly({ ...input.env, ...QUIET_ENV, CLAUDE_CONFIG_DIR: options.configDir }),
    abortController: abort,
    systemPrompt: { type: 'preset', preset: 'claude_code', append: input.system },
    // Hermetic: no user, project or local settings, no CLAUDE.md, never the user's auto-memory.
    settingSources: [],
    settings: { autoMemoryEnabled: false },
    tools: READ_ONLY_TOOLS,
    mcpServers: { [proposer.server.name]: proposer.server },
    hooks: { PreToolUse: [guardReads], PostToolUse: [stopAfterLastProposal], PostToolUseFailure: [stopAfterLastProposal] },
    canUseTool: async (toolName, toolInput) => {
      if (proposer.done()) return { behavior: 'deny', message: 'Your plan is handed in: end your turn now.' };
      if (READ_ONLY_TOOLS.includes(toolName) || toolName === CLAUDE_PROPOSE_TOOL) return { behavior: 'allow', updatedInput: toolInput };
      const message = `${toolName} is not available to decompose's agent: it reads the workspace with Read, Glob and Grep, and hands in its plan with ${CLAUDE_PROPOSE_TOOL}.`;
      input.log(`refused ${toolName}: not available to decompose`);
      return { behavior: 'deny', message };
    },
    stderr: (chunk) => stderrLines.push(chunk),
    ...(options.resume ? { resume: options.resume } : {}),
  };
}
