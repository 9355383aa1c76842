import { isAbsolute, posix } from 'node:path';
import { guardReadPath } from '../agents/anthropic/path-guard';
import { toWorktreeRelative, type ToolVerdict } from '../agents/claude-code/guard-claude-tool';

/** Claude Code's tools that read files: the ones a PreToolUse hook checks. */
export const READ_TOOL_MATCHER = 'Read|Glob|Grep';

export interface GuardSnapshotReadOptions {
  /** The workspace snapshot decompose's agent reads. */
  readRoot: string;
  toolName: string;
  toolInput: unknown;
}

/**
 * Whether a Claude Code read tool stays inside the workspace snapshot once symbolic links are
 * followed: Read's `file_path`, Grep's `path`, Glob's `path` and the folder its `pattern` starts
 * from. The same verdict the anthropic decomposer's read tools give, worded for the model.
 */
export async function guardSnapshotRead({ readRoot, toolName, toolInput }: GuardSnapshotReadOptions): Promise<ToolVerdict> {
  const fields = typeof toolInput === 'object' && toolInput !== null ? (toolInput as Record<string, unknown>) : {};
  const targets = listReadTargets(toolName, fields);
  if ('error' in targets) return { allow: false, reason: targets.error };
  for (const target of targets.paths) {
    const inside = await toWorktreeRelative(readRoot, target);
    if (isAbsolute(inside) || inside.startsWith('~')) {
      return { allow: false, reason: `\`${target}\` is outside the workspace you read (${readRoot}); read files inside it, by paths relative to it.` };
    }
    const verdict = await guardReadPath({ worktree: readRoot, path: inside === '' ? '.' : inside });
    if (!verdict.ok) return { allow: false, reason: verdict.message };
  }
  return { allow: true };
}

/** The paths a read tool's call reaches, as the model wrote them (absolute or relative to the snapshot). */
function listReadTargets(toolName: string, fields: Record<string, unknown>): { paths: string[] } | { error: string } {
  const given = (name: string) => (typeof fields[name] === 'string' && (fields[name] as string).trim() !== '' ? (fields[name] as string) : undefined);
  switch (toolName) {
    case 'Read': {
      const file = given('file_path');
      return file ? { paths: [file] } : { error: 'Read needs a `file_path`.' };
    }
    case 'Grep': {
      const path = given('path');
      return { paths: path ? [path] : [] };
    }
    case 'Glob': {
      const path = given('path');
      const pattern = given('pattern');
      const base = pattern ? staticBase(pattern) : '';
      const from = isAbsolute(base) ? base : posix.join(path ?? '.', base);
      return { paths: [...(path ? [path] : []), ...(base ? [from] : [])] };
    }
    default:
      return { paths: [] };
  }
}

/** The folder a glob starts from: its segments before the first with a wildcard (`../x/**` → `../x`). */
function staticBase(pattern: string): string {
  const segments = pattern.replace(/\\/g, '/').split('/');
  const index = segments.findIndex((segment) => /[*?[\]{}!]/.test(segment));
  const kept = index === -1 ? segments.slice(0, -1) : segments.slice(0, index);
  if (kept.length === 1 && kept[0] === '') return '/';
  return kept.join('/');
}
