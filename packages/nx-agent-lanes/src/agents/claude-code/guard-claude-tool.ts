import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';
import { guardWritePath, type LaneOwnership } from '../anthropic/path-guard';

/** Claude Code's tools that write a file, and the input field that names it. */
const WRITE_TOOLS: Readonly<Record<string, string>> = {
  Write: 'file_path',
  Edit: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
};

export const WRITE_TOOL_MATCHER = Object.keys(WRITE_TOOLS).join('|');

export type ToolVerdict = { allow: true } | { allow: false; reason: string };

export interface GuardClaudeToolOptions {
  worktree: string;
  lane: string;
  ownership: LaneOwnership;
  toolName: string;
  toolInput: unknown;
}

/**
 * Whether a Claude Code write tool may write where it asks: the same verdict the anthropic
 * provider's write tools give (owned, not forbidden, inside the worktree once links are
 * followed), so the model hears the reason at once instead of verify failing the lane later.
 * Tools that do not write a file are not this guard's business.
 */
export async function guardClaudeTool(options: GuardClaudeToolOptions): Promise<ToolVerdict> {
  const field = WRITE_TOOLS[options.toolName];
  if (!field) return { allow: true };
  const raw = isRecord(options.toolInput) ? options.toolInput[field] : undefined;
  if (typeof raw !== 'string' || raw.trim() === '') return { allow: false, reason: `${options.toolName} needs a \`${field}\`.` };
  const path = await toWorktreeRelative(options.worktree, raw);
  const verdict = await guardWritePath({ worktree: options.worktree, lane: options.lane, ownership: options.ownership, path });
  return verdict.ok ? { allow: true } : { allow: false, reason: verdict.message };
}

/** Claude Code passes absolute paths: the guard speaks worktree-relative ones. */
export async function toWorktreeRelative(worktree: string, raw: string): Promise<string> {
  if (!isAbsolute(raw)) return raw;
  for (const root of new Set([worktree, await realpath(worktree).catch(() => worktree)])) {
    const inside = relative(root, raw);
    if (inside === '' || (!inside.startsWith(`..${sep}`) && inside !== '..' && !isAbsolute(inside))) return inside.split(sep).join('/');
  }
  return raw;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
