import { lstat, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { LaneOwnership } from './path-guard';
import { guardWritePath } from './path-guard';
import type { ToolResult } from './tool-result';
import { failTool, succeedTool } from './tool-result';

/*
 * The tools that change the worktree: write_file, edit_file, delete_file. Each goes through
 * guardWritePath first, so a lane's agent can only ever change files its lane owns.
 */

export interface WriteToolContext {
  worktree: string;
  lane: string;
  ownership: LaneOwnership;
}

export async function writeWorktreeFile(
  context: WriteToolContext,
  { path: raw, content }: { path: string; content: string },
): Promise<ToolResult> {
  const guarded = await guardWritePath({ ...context, path: raw });
  if (!guarded.ok) return failTool(guarded.message);
  const before = await lstat(guarded.absolute).catch(() => undefined);
  if (before?.isDirectory()) return failTool(`\`${raw}\` is a folder; give the path of a file.`);
  await mkdir(path.dirname(guarded.absolute), { recursive: true });
  await writeFile(guarded.absolute, content, 'utf8');
  return succeedTool(`${before ? 'Replaced' : 'Created'} ${guarded.relative} (${Buffer.byteLength(content)} bytes).`);
}

export async function editWorktreeFile(
  context: WriteToolContext,
  edit: { path: string; old_text: string; new_text: string; replace_all?: boolean },
): Promise<ToolResult> {
  const { path: raw, old_text: oldText, new_text: newText, replace_all: replaceAll = false } = edit;
  const guarded = await guardWritePath({ ...context, path: raw });
  if (!guarded.ok) return failTool(guarded.message);
  if (oldText === '') return failTool('`old_text` is empty; to write a whole file use write_file.');
  const text = await readFile(guarded.absolute, 'utf8').catch(() => undefined);
  if (text === undefined) return failTool(`\`${raw}\` does not exist; create it with write_file.`);
  const count = text.split(oldText).length - 1;
  if (count === 0) {
    return failTool(
      `\`old_text\` was not found in \`${raw}\`. Read the file with read_file and copy the text exactly ` +
        '(whitespace, indentation and line breaks count).',
    );
  }
  if (count > 1 && !replaceAll) {
    return failTool(
      `\`old_text\` occurs ${count} times in \`${raw}\`. Include more surrounding lines so it occurs once, ` +
        'or set `replace_all` to true to replace every occurrence.',
    );
  }
  // split/join, not String.replace, so `$&` and friends in new_text stay literal.
  await writeFile(guarded.absolute, text.split(oldText).join(newText), 'utf8');
  return succeedTool(`Edited ${guarded.relative}: replaced ${count} occurrence${count === 1 ? '' : 's'}.`);
}

export async function deleteWorktreeFile(context: WriteToolContext, { path: raw }: { path: string }): Promise<ToolResult> {
  const guarded = await guardWritePath({ ...context, path: raw });
  if (!guarded.ok) return failTool(guarded.message);
  const info = await lstat(guarded.absolute).catch(() => undefined);
  if (!info) return failTool(`\`${raw}\` does not exist.`);
  if (info.isDirectory()) return failTool(`\`${raw}\` is a folder; delete the files in it one by one.`);
  await unlink(guarded.absolute);
  return succeedTool(`Deleted ${guarded.relative}.`);
}
