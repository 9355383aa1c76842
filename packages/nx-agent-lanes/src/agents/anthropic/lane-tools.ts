import type { LaneProcessRunner } from '../../stage/lane-process-runner';
import type { LaneOwnership } from './path-guard';
import { listWorktreeFiles, readWorktreeFile, searchWorktree } from './read-tools';
import { runLaneTests } from './run-lane-tests';
import type { ToolResult } from './tool-result';
import { failTool } from './tool-result';
import { deleteWorktreeFile, editWorktreeFile, writeWorktreeFile } from './write-tools';
import { LANE_TOOL_NAMES } from './lane-tool-definitions';

export { LANE_TOOLS, LANE_TOOL_NAMES } from './lane-tool-definitions';
export type { LaneToolName } from './lane-tool-definitions';
export type { ToolResult } from './tool-result';

/** Everything a tool call may touch: one lane's worktree, its ownership and its test command. */
export interface LaneToolContext {
  worktree: string;
  lane: string;
  ownership: LaneOwnership;
  testCommand: string;
  /** The tests' environment: no credential, no proxy address. */
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** Limit of one run_tests call. */
  testTimeoutMs: number;
  /** Secret values out of a whole text, before the transcript cuts it. */
  redactText?: (text: string) => string;
  /** Runs the tests in the lane's sandbox, their output redacted before run_tests cuts its tail. */
  runProcess: LaneProcessRunner;
}

/** A tool call either answers the model, or ends the lane (finish) or asks a person (report_blocker). */
export type LaneToolOutcome =
  | { kind: 'result'; result: ToolResult }
  | { kind: 'finish'; summary: string }
  | { kind: 'blocker'; question: string };

export interface LaneToolCall {
  name: string;
  input: unknown;
}

/**
 * Runs one tool call of the model. Never throws: a bad input, a refused path or a failed file
 * operation comes back as an `is_error` result explaining what to do instead.
 */
export async function runLaneTool(call: LaneToolCall, context: LaneToolContext): Promise<LaneToolOutcome> {
  try {
    return await dispatchLaneTool(call, context);
  } catch (error) {
    return answer(failTool(`${call.name} failed: ${(error as Error).message ?? String(error)}`));
  }
}

async function dispatchLaneTool(call: LaneToolCall, context: LaneToolContext): Promise<LaneToolOutcome> {
  const input = isRecord(call.input) ? call.input : {};
  const { worktree } = context;
  const writer = { worktree, lane: context.lane, ownership: context.ownership };
  const need = (...keys: string[]) => findMissingStrings(call.name, input, keys);
  switch (call.name) {
    case 'read_file':
      return (
        need('path') ??
        answer(await readWorktreeFile({ worktree, path: String(input.path), offset: asNumber(input.offset), limit: asNumber(input.limit) }))
      );
    case 'list_files':
      return answer(await listWorktreeFiles({ worktree, path: asString(input.path) ?? '.', glob: asString(input.glob) }));
    case 'search':
      return (
        need('pattern') ??
        answer(await searchWorktree({ worktree, pattern: String(input.pattern), path: asString(input.path) ?? '.', glob: asString(input.glob) }))
      );
    case 'write_file':
      return need('path', 'content') ?? answer(await writeWorktreeFile(writer, { path: String(input.path), content: String(input.content) }));
    case 'edit_file':
      return (
        need('path', 'old_text', 'new_text') ??
        answer(
          await editWorktreeFile(writer, {
            path: String(input.path),
            old_text: String(input.old_text),
            new_text: String(input.new_text),
            replace_all: input.replace_all === true,
          }),
        )
      );
    case 'delete_file':
      return need('path') ?? answer(await deleteWorktreeFile(writer, { path: String(input.path) }));
    case 'run_tests': {
      const { testCommand, env, signal, testTimeoutMs, runProcess } = context;
      return answer(await runLaneTests({ command: testCommand, cwd: worktree, env, timeoutMs: testTimeoutMs, signal, runProcess }));
    }
    case 'report_blocker': {
      const question = asString(input.question)?.trim();
      if (!question) return answer(failTool('report_blocker needs `question`: the one question a person should answer.'));
      return { kind: 'blocker', question };
    }
    case 'finish':
      return { kind: 'finish', summary: asString(input.summary)?.trim() ?? '' };
    default:
      return answer(
        failTool(
          `There is no tool \`${call.name}\`. The tools are: ${LANE_TOOL_NAMES.join(', ')}. ` +
            "There is no shell; run_tests runs your lane's test command.",
        ),
      );
  }
}

function answer(result: ToolResult): LaneToolOutcome {
  return { kind: 'result', result };
}

function findMissingStrings(tool: string, input: Record<string, unknown>, keys: string[]): LaneToolOutcome | undefined {
  const missing = keys.filter((key) => typeof input[key] !== 'string');
  if (missing.length === 0) return undefined;
  return answer(failTool(`${tool} needs ${missing.map((key) => `\`${key}\``).join(', ')} as string${missing.length === 1 ? '' : 's'}.`));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
