import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * A lane's Claude Code session lives in the lane's scratch config folder (CLAUDE_CONFIG_DIR), never
 * in the user's ~/.claude. When a lane blocks, its session's entries go into the lane's transcript
 * (a cached output), so `answer` resumes the same session on this machine or, from the cache, on
 * another, whatever the worktree's path is there.
 */

export interface SavedClaudeSession {
  sessionId: string;
  /** The session file's JSON lines, parsed. */
  entries: unknown[];
}

/** Claude Code keeps a session under projects/<its working directory, every other character a dash>/. */
function projectFolderName(cwd: string): string {
  return cwd.replace(/[^a-zA-Z0-9]/g, '-');
}

/** The session's entries, read from wherever Claude Code filed it under `configDir`. */
export function readClaudeSession(configDir: string, sessionId: string): SavedClaudeSession | undefined {
  const projects = join(configDir, 'projects');
  if (!existsSync(projects)) return undefined;
  for (const folder of readdirSync(projects)) {
    const file = join(projects, folder, `${sessionId}.jsonl`);
    if (!existsSync(file)) continue;
    const entries: unknown[] = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        entries.push(JSON.parse(line));
      } catch {
        // A torn last line of a killed run: the entries before it still resume.
      }
    }
    return { sessionId, entries };
  }
  return undefined;
}

/** Puts a saved session back under `configDir` for a run in `cwd`, so Claude Code can resume it. */
export function restoreClaudeSession(configDir: string, cwd: string, session: SavedClaudeSession): void {
  const text = session.entries.map((entry) => JSON.stringify(entry)).join('\n') + '\n';
  let real = cwd;
  try {
    real = realpathSync(cwd);
  } catch {
    // Not there yet: the path as given is the one Claude Code sees.
  }
  for (const folder of new Set([projectFolderName(cwd), projectFolderName(real)])) {
    mkdirSync(join(configDir, 'projects', folder), { recursive: true });
    writeFileSync(join(configDir, 'projects', folder, `${session.sessionId}.jsonl`), text);
  }
}

/** A saved session from a provider's resume state (the `messages` of its last `state` event). */
export function readSavedSession(messages: readonly unknown[] | undefined): SavedClaudeSession | undefined {
  const first = messages?.[0];
  if (typeof first !== 'object' || first === null) return undefined;
  const { sessionId, entries } = first as { sessionId?: unknown; entries?: unknown };
  return typeof sessionId === 'string' && Array.isArray(entries) ? { sessionId, entries } : undefined;
}
