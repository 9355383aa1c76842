import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HookCallbackMatcher, Options, SDKMessage, SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { findModelPrice } from '../../feature/default-agent';
import { costOfUsage, readApiUsage } from '../../proxy/price-api-usage';
import { formatTurnLine, truncateForTranscript } from '../anthropic/format-progress';
import { decideCommandResult } from '../command/decide-command-result';
import type { AgentProviderImpl, AgentRunInput, AgentRunResult, TokenUsage } from '../provider';
import { createZeroUsage } from '../provider';
import { readClaudeSession, readSavedSession, restoreClaudeSession } from './claude-session';
import { definedOnly } from '../../stage/lane-process-runner';
import { guardClaudeTool, WRITE_TOOL_MATCHER } from './guard-claude-tool';
import { loadAgentSdk, type LoadedAgentSdk } from './load-agent-sdk';
import { readLines } from '../split-lines';

export interface ClaudeCodeProviderOptions {
  /** Loads the Agent SDK; default from the workspace (the process's cwd) and the lane's worktree. */
  loadSdk?: (from: readonly string[]) => LoadedAgentSdk;
}

/** The in-process MCP server the blocker tool lives on, and the tool's full name. */
const LANES_SERVER = 'lanes';
export const BLOCKER_TOOL = `mcp__${LANES_SERVER}__report_blocker`;

/**
 * Claude Code's built-in tools a lane's agent gets: files, search, shell. No web tools (the
 * sandbox has no network but the API anyway), no worktree or scheduling tools.
 */
const LANE_TOOLS = ['Bash', 'Read', 'Write', 'Edit', 'NotebookEdit', 'Glob', 'Grep', 'TodoWrite', 'ToolSearch'];

/**
 * Keeps Claude Code from calling home (offline runs and the sandbox need nothing but the API) and
 * from reading auto-memory, whatever its config folder holds.
 */
export const QUIET_ENV = {
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  CLAUDE_CODE_DISABLE_AUTO_MEMORY: '1',
  DISABLE_TELEMETRY: '1',
  DISABLE_AUTOUPDATER: '1',
  DISABLE_ERROR_REPORTING: '1',
};

/** stderr lines of Claude Code kept for the reason of a failure. */
export const STDERR_TAIL = 20;

/**
 * The `claude-code` provider: Claude Code, driven through the Agent SDK, in the lane's worktree
 * and sandbox, reaching the model through the lane's metering proxy. Ownership is checked at the
 * tool (a PreToolUse hook refuses a write outside the lane's files and tells the model why),
 * Bash is allowed and kept inside by the sandbox, a blocker is an in-process MCP tool, and the
 * session lives in the lane's scratch folder and its transcript, never in the user's ~/.claude.
 */
export function createClaudeCodeProvider(options: ClaudeCodeProviderOptions = {}): AgentProviderImpl {
  return { name: 'claude-code', run: (input) => runClaudeCode(input, options.loadSdk ?? loadAgentSdk) };
}

async function runClaudeCode(input: AgentRunInput, loadSdk: (from: readonly string[]) => LoadedAgentSdk): Promise<AgentRunResult> {
  const { sdk, z, version } = loadSdk([input.worktree, process.cwd(), __dirname]);
  if (input.signal.aborted) return { status: 'failed', reason: 'interrupted', turns: 0, usage: createZeroUsage(), costUsd: 0 };
  const { agent } = input;
  const redact = input.redact ?? ((text: string) => text);
  const configDir = join(input.scratchDir, 'claude');
  mkdirSync(configDir, { recursive: true });
  const saved = readSavedSession(input.resume?.messages);
  if (saved) restoreClaudeSession(configDir, input.worktree, saved);

  let blocker: string | undefined;
  const denials: string[] = [];
  /** Tool calls refused here, already in `denials` with their reason: Claude Code lists them again. */
  const refusedIds = new Set<string>();
  const stderrTail: string[] = [];
  const blockerTool = sdk.tool(
    'report_blocker',
    'Report a blocker: a question a person must answer before your lane can go on (a product decision, an ambiguity, something another lane must provide). Your lane stops after this call; the answer comes back to you in the same session.',
    { question: z.string().describe('One clear question, in one or two sentences a person can answer in one line.') },
    async ({ question }) => {
      blocker = question.trim() || blocker;
      input.log(`blocker: ${redact(question)}`);
      input.transcript({ type: 'blocker', question });
      return { content: [{ type: 'text', text: 'Your question is recorded and your lane stops now. End your turn; do not call any more tools.' }] };
    },
  );

  const guardWrites: HookCallbackMatcher = {
    matcher: WRITE_TOOL_MATCHER,
    hooks: [
      async (hookInput) => {
        if (hookInput.hook_event_name !== 'PreToolUse') return {};
        const verdict = blocker
          ? { allow: false as const, reason: 'Your lane is blocked on your question: end your turn now.' }
          : await guardClaudeTool({ worktree: input.worktree, lane: input.lane, ownership: input.ownership, toolName: hookInput.tool_name, toolInput: hookInput.tool_input });
        if (verdict.allow) return {};
        // The reason names the path as the lane sees it.
        if (hookInput.tool_use_id) refusedIds.add(hookInput.tool_use_id);
        denials.push(`${hookInput.tool_name}: ${verdict.reason}`.slice(0, 300));
        input.log(`refused ${hookInput.tool_name}: ${verdict.reason}`);
        input.transcript({ type: 'tool_refused', name: hookInput.tool_name, input: truncateForTranscript(hookInput.tool_input, redact), reason: verdict.reason });
        return { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: verdict.reason } };
      },
    ],
  };

  const sandbox = await input.runProcess.openAttached({
    cwd: input.worktree,
    env: input.env,
    onLine: (line) => input.log(line),
  });
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  input.signal.addEventListener('abort', onAbort, { once: true });
  // The plan's wall-clock limit, as the command provider applies it to its process.
  let timedOut = false;
  const timeout =
    agent.timeoutMinutes > 0
      ? setTimeout(() => {
          timedOut = true;
          abort.abort();
        }, Math.min(agent.timeoutMinutes * 60_000, 2 ** 31 - 1))
      : undefined;

  const env = definedOnly({
    ...input.env,
    ...QUIET_ENV,
    CLAUDE_CONFIG_DIR: configDir,
    LANE_FEATURE: input.feature,
    LANE_NAME: input.lane,
    LANE_TEST_COMMAND: input.testCommand,
  });

  const queryOptions: Options = {
    cwd: input.worktree,
    model: agent.model,
    maxTurns: agent.maxTurns,
    maxBudgetUsd: agent.budgetUsd,
    env,
    abortController: abort,
    systemPrompt: { type: 'preset', preset: 'claude_code', append: input.prompt.system },
    // Hermetic: no user, project or local settings (hooks, permissions, CLAUDE.md) unless the plan
    // opts into the repository's own; never the user's auto-memory.
    settingSources: agent.claudeMd ? ['project'] : [],
    settings: { autoMemoryEnabled: false },
    tools: LANE_TOOLS,
    permissionMode: 'acceptEdits',
    mcpServers: { [LANES_SERVER]: sdk.createSdkMcpServer({ name: LANES_SERVER, version, tools: [blockerTool] }) },
    hooks: { PreToolUse: [guardWrites] },
    // acceptEdits settles edits inside the worktree (after the hook); Bash and the blocker tool are
    // allowed here; anything else would ask a person, and there is none.
    canUseTool: async (toolName, toolInput, { toolUseID }) => {
      if (toolName === 'Bash' || toolName === BLOCKER_TOOL) return { behavior: 'allow', updatedInput: toolInput };
      const reason = `${toolName} ${describeToolTarget(toolInput)} is not available to a lane's agent: only the worktree's files, search and Bash are.`;
      refusedIds.add(toolUseID);
      denials.push(`${toolName} ${describeToolTarget(toolInput)}: not permitted`.slice(0, 300));
      return { behavior: 'deny', message: reason };
    },
    spawnClaudeCodeProcess: ({ command, args, env: childEnv }) => {
      const child = sandbox.spawn(command, args, definedOnly(childEnv));
      if (child.pid !== undefined) input.onProcessGroup?.(child.pid);
      readLines(child.stderr, (line) => {
        const text = redact(line);
        stderrTail.push(text);
        if (stderrTail.length > STDERR_TAIL) stderrTail.shift();
        input.log(text.length > 2000 ? `${text.slice(0, 2000)}…` : text);
      });
      // Spawned with stdio piped, so both streams exist.
      return child as typeof child & { stdin: NonNullable<typeof child.stdin>; stdout: NonNullable<typeof child.stdout> };
    },
    ...(saved ? { resume: saved.sessionId } : {}),
  };

  const prompt = saved ? describeAnswer(input.answer) : `${input.prompt.task.trimEnd()}\n\n${describeBlockerTool()}\n`;
  input.log(`starting Claude Code (Agent SDK ${version}) with ${agent.model}${saved ? `, resuming session ${saved.sessionId}` : ''}`);
  input.transcript({ type: 'agent-start', provider: 'claude-code', sdkVersion: version, model: agent.model, cwd: input.worktree, resume: saved?.sessionId });

  const price = findModelPrice(agent.prices, agent.model);
  const turns = new Map<string, TokenUsage>();
  // Progress lines go on from the turns and spend the proxy already counts (a resumed session).
  const turnsBefore = input.spentBefore?.turns ?? 0;
  let spentUsd = input.spentBefore?.costUsd ?? 0;
  let result: SDKResultMessage | undefined;
  let sessionId = saved?.sessionId;
  let thrown: unknown;
  try {
    for await (const message of sdk.query({ prompt, options: queryOptions })) {
      if ('session_id' in message && typeof message.session_id === 'string') sessionId = message.session_id;
      if (message.type === 'result') result = message;
      else if (message.type === 'assistant') onAssistant(message);
      else if (message.type === 'user') onToolResults(message);
    }
  } catch (error) {
    // query() throws after a max-turns or max-budget result; the result message already said so.
    thrown = error;
  } finally {
    clearTimeout(timeout);
    input.signal.removeEventListener('abort', onAbort);
    await sandbox.close();
  }

  if (blocker && sessionId) {
    const session = readClaudeSession(configDir, sessionId);
    if (session) input.transcript({ type: 'state', provider: 'claude-code', messages: [session] });
  }
  const decided = decideCommandResult({
    exitCode: result || !thrown ? 0 : 1,
    exitSignal: null,
    interrupted: input.signal.aborted,
    ...(timedOut && !input.signal.aborted ? { timedOutAfterMinutes: agent.timeoutMinutes } : {}),
    blocker,
    lastStdoutLine: result ? JSON.stringify({ ...result, permission_denials: result.permission_denials.filter((d) => !refusedIds.has(d.tool_use_id)) }) : undefined,
    stderrTail: result || !thrown ? [] : [describeThrown(thrown), ...stderrTail],
  });
  const ownTurns = Math.max(turns.size, decided.turns);
  const failedToStart = !result && thrown && !input.signal.aborted && !timedOut;
  return {
    ...decided,
    ...(failedToStart ? { reason: `Claude Code did not finish: ${describeThrown(thrown)}${stderrTail.length ? `\nLast lines of stderr:\n${stderrTail.map((l) => `  ${l}`).join('\n')}` : ''}` } : {}),
    turns: ownTurns,
    permissionDenials: [...denials, ...(decided.permissionDenials ?? [])],
  };

  function onAssistant(message: Extract<SDKMessage, { type: 'assistant' }>): void {
    const body = message.message;
    // Claude Code hands one API response over as several messages, one per content block.
    const first = !turns.has(body.id);
    const usage = readApiUsage(body.usage);
    turns.set(body.id, usage);
    // formatTurnLine names a call by its `path`; Claude Code's tools call it file_path, command, pattern.
    const calls = body.content.filter((block) => block.type === 'tool_use').map((block) => ({ name: block.name, input: { path: describeToolTarget(block.input) || undefined } }));
    input.transcript({ type: 'response', turn: turns.size, content: truncateForTranscript(body.content, redact), usage: body.usage });
    if (!first) {
      if (calls.length) input.log(`turn ${turnsBefore + turns.size}/${agent.maxTurns} · ${calls.map((c) => (c.input.path ? `${c.name} ${c.input.path}` : c.name)).join(', ')}`);
      return;
    }
    if (price) spentUsd += costOfUsage(price, usage);
    input.log(
      redact(
        formatTurnLine({ turn: turnsBefore + turns.size, maxTurns: agent.maxTurns, calls, stopReason: body.stop_reason ?? 'end_turn', usage, spentUsd, budgetUsd: agent.budgetUsd }),
      ),
    );
  }

  function onToolResults(message: Extract<SDKMessage, { type: 'user' }>): void {
    const content = message.message.content;
    if (!Array.isArray(content)) return;
    for (const block of content) {
      if (typeof block !== 'object' || block === null || block.type !== 'tool_result') continue;
      input.transcript({ type: 'tool_result', id: block.tool_use_id, is_error: block.is_error === true, content: truncateForTranscript(block.content, redact) });
    }
  }
}

/** The path or command a tool call is about, short. */
export function describeToolTarget(input: unknown): string {
  if (typeof input !== 'object' || input === null) return '';
  const fields = input as Record<string, unknown>;
  const value = fields.file_path ?? fields.notebook_path ?? fields.path ?? fields.command ?? fields.pattern;
  if (typeof value !== 'string') return '';
  const line = value.split('\n')[0];
  return line.length > 80 ? `${line.slice(0, 80)}…` : line;
}

function describeBlockerTool(): string {
  return (
    '## Your blocker tool\n\n' +
    `To report a blocker, call the \`${BLOCKER_TOOL}\` tool with your question (load it with ToolSearch if it is ` +
    'not listed), then end your turn.'
  );
}

function describeAnswer(answer: string | undefined): string {
  return `A person answered your question:\n\n${answer?.trim() || '(no answer text)'}\n\nThis is a decision; follow it, and go on with your lane from where you stopped.`;
}

export function describeThrown(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].slice(0, 500);
}
