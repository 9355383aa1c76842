import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { matchPattern, validatePattern } from '../../ownership';
import { guardReadPath } from './path-guard';
import type { ToolResult } from './tool-result';
import { failTool, succeedTool } from './tool-result';

/*
 * The read-only tools: read_file, list_files, search. They may look anywhere inside the
 * worktree except .git; they never follow a link out of it.
 */

const DEFAULT_READ_LINES = 2000;
const MAX_READ_CHARS = 100_000;
const MAX_READ_FILE_BYTES = 10_000_000;
const MAX_LISTED = 1000;
const MAX_MATCHES = 200;
const MAX_SEARCHED_FILE_BYTES = 1_000_000;
const MAX_MATCH_LINE_CHARS = 300;
const SKIPPED_FOLDERS = new Set(['.git', 'node_modules']);

export interface ReadFileInput {
  worktree: string;
  path: string;
  offset?: number;
  limit?: number;
}

export async function readWorktreeFile({ worktree, path: raw, offset = 1, limit = DEFAULT_READ_LINES }: ReadFileInput): Promise<ToolResult> {
  const guarded = await guardReadPath({ worktree, path: raw });
  if (!guarded.ok) return failTool(guarded.message);
  const info = await stat(guarded.absolute).catch(() => undefined);
  if (!info) return failTool(`\`${raw}\` does not exist. Use list_files or search to find the right path.`);
  if (info.isDirectory()) return failTool(`\`${raw}\` is a folder; use list_files to see what is in it.`);
  if (info.size > MAX_READ_FILE_BYTES) return failTool(`\`${raw}\` is ${info.size} bytes, too big to read; use search to find what you need in it.`);
  const text = await readFile(guarded.absolute, 'utf8');
  const lines = text.split('\n');
  const first = Math.max(1, Math.floor(offset));
  const count = Math.max(1, Math.floor(limit));
  if (first > lines.length) return failTool(`\`${raw}\` has ${lines.length} lines; offset ${first} is past the end.`);
  let page = lines.slice(first - 1, first - 1 + count).join('\n');
  let last = Math.min(lines.length, first - 1 + count);
  if (page.length > MAX_READ_CHARS) {
    page = page.slice(0, MAX_READ_CHARS);
    last = first + page.split('\n').length - 2;
  }
  if (first === 1 && last >= lines.length) return succeedTool(page);
  return succeedTool(
    `[lines ${first}-${last} of ${lines.length}${last < lines.length ? `; read on with offset ${last + 1}` : ''}]\n${page}`,
  );
}

export interface ListFilesInput {
  worktree: string;
  path?: string;
  glob?: string;
}

export async function listWorktreeFiles({ worktree, path: raw = '.', glob }: ListFilesInput): Promise<ToolResult> {
  const guarded = await guardReadPath({ worktree, path: raw });
  if (!guarded.ok) return failTool(guarded.message);
  const info = await stat(guarded.absolute).catch(() => undefined);
  if (!info) return failTool(`\`${raw}\` does not exist.`);
  const matches = compileGlobFilter(glob);
  if (typeof matches === 'string') return failTool(matches);
  const files: string[] = [];
  let more = 0;
  for await (const file of walkFiles(worktree, guarded.relative)) {
    if (!matches(file)) continue;
    if (files.length < MAX_LISTED) files.push(file);
    else more++;
  }
  if (files.length === 0) return succeedTool(`No files under \`${raw}\`${glob ? ` match \`${glob}\`` : ''}.`);
  const tail = more > 0 ? `\n[${more} more files not shown; narrow with path or glob]` : '';
  return succeedTool(files.join('\n') + tail);
}

export interface SearchInput {
  worktree: string;
  pattern: string;
  path?: string;
  glob?: string;
}

export async function searchWorktree({ worktree, pattern, path: raw = '.', glob }: SearchInput): Promise<ToolResult> {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch (error) {
    return failTool(`\`${pattern}\` is not a valid regular expression: ${(error as Error).message}`);
  }
  const guarded = await guardReadPath({ worktree, path: raw });
  if (!guarded.ok) return failTool(guarded.message);
  const info = await stat(guarded.absolute).catch(() => undefined);
  if (!info) return failTool(`\`${raw}\` does not exist.`);
  const matches = compileGlobFilter(glob);
  if (typeof matches === 'string') return failTool(matches);
  const found: string[] = [];
  let more = 0;
  // A named file was checked by the guard; files found by walking may be links, which are not followed.
  const single = info.isFile();
  const files = single ? [guarded.relative] : walkFiles(worktree, guarded.relative);
  for await (const file of files) {
    if (!matches(file)) continue;
    const text = await readSearchableText(path.join(worktree, file), { followLinks: single });
    if (text === undefined) continue;
    text.split('\n').forEach((line, i) => {
      if (!regex.test(line)) return;
      if (found.length < MAX_MATCHES) found.push(`${file}:${i + 1}: ${line.slice(0, MAX_MATCH_LINE_CHARS)}`);
      else more++;
    });
  }
  if (found.length === 0) return succeedTool(`No line matches \`${pattern}\`.`);
  const tail = more > 0 ? `\n[${more} more matches not shown; narrow with path or glob]` : '';
  return succeedTool(found.join('\n') + tail);
}

/**
 * The `glob` filter of list_files and search, read the way `owns` is, so a pattern the model
 * copies from its prompt finds exactly the files it names; a broken glob is the message to send back.
 */
function compileGlobFilter(glob: string | undefined): ((file: string) => boolean) | string {
  if (!glob) return () => true;
  const invalid = validatePattern(glob);
  if (invalid) return invalid;
  return (file) => matchPattern(glob, file);
}

/** Worktree-relative files under `start`, sorted, skipping .git and node_modules; links are listed, never entered. */
async function* walkFiles(worktree: string, start: string): AsyncGenerator<string> {
  const entries = await readdir(path.join(worktree, start), { withFileTypes: true }).catch(() => []);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const relative = start ? `${start}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name.toLowerCase())) yield* walkFiles(worktree, relative);
    } else if (entry.name.toLowerCase() !== '.git') {
      yield relative;
    }
  }
}

/** The file's text, or undefined for links (unless followed), big files and binary files (a NUL in the first 8 KB). */
async function readSearchableText(file: string, { followLinks }: { followLinks: boolean }): Promise<string | undefined> {
  const info = await (followLinks ? stat(file) : lstat(file)).catch(() => undefined);
  if (!info?.isFile() || info.size > MAX_SEARCHED_FILE_BYTES) return undefined;
  const buffer = await readFile(file);
  if (buffer.subarray(0, 8192).includes(0)) return undefined;
  return buffer.toString('utf8');
}
