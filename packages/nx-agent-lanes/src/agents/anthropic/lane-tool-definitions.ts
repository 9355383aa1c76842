import type Anthropic from '@anthropic-ai/sdk';

/*
 * The tools every lane's agent gets. They are constants, with no lane name, path or command in
 * them, so the tool block of every request (every lane, every turn) is the same bytes and the
 * prompt cache serves it once for the whole feature. There is deliberately no shell tool:
 * run_tests runs only the lane's declared test command, so the write tools' ownership checks
 * cannot be side-stepped with `echo > file`.
 */

export type LaneToolName =
  | 'read_file'
  | 'list_files'
  | 'search'
  | 'write_file'
  | 'edit_file'
  | 'delete_file'
  | 'run_tests'
  | 'report_blocker'
  | 'finish';

interface LaneTool extends Anthropic.Tool {
  name: LaneToolName;
}

const pathProperty = (description: string) => ({ type: 'string', description });

export const LANE_TOOLS: readonly LaneTool[] = Object.freeze([
  {
    name: 'read_file',
    description:
      'Read a text file of the worktree. Paths are relative to the worktree root. Long files come in pages: ' +
      'pass `offset` (1-based first line) and `limit` (number of lines) to read on.',
    input_schema: {
      type: 'object',
      properties: {
        path: pathProperty('File path relative to the worktree root, e.g. `src/index.ts`.'),
        offset: { type: 'integer', minimum: 1, description: 'First line to return, 1-based. Default 1.' },
        limit: { type: 'integer', minimum: 1, description: 'How many lines to return. Default 2000.' },
      },
      required: ['path'],
    },
  },
  {
    name: 'list_files',
    description:
      'List files under a folder of the worktree, recursively (.git and node_modules are skipped). ' +
      'Optionally filter with a glob matched against the worktree-relative path, e.g. `src/**/*.ts`.',
    input_schema: {
      type: 'object',
      properties: {
        path: pathProperty('Folder relative to the worktree root. Default: the root.'),
        glob: { type: 'string', description: 'Glob the worktree-relative path must match, e.g. `**/*.spec.ts`.' },
      },
    },
  },
  {
    name: 'search',
    description:
      'Search file contents with a regular expression (JavaScript syntax). Returns matching lines as `path:line: text`. ' +
      '.git and node_modules are skipped.',
    input_schema: {
      type: 'object',
      properties: {
        pattern: { type: 'string', description: 'Regular expression, e.g. `export function \\w+`.' },
        path: pathProperty('Folder or file to search, relative to the worktree root. Default: the root.'),
        glob: { type: 'string', description: 'Only files whose worktree-relative path matches this glob.' },
      },
      required: ['pattern'],
    },
  },
  {
    name: 'write_file',
    description:
      'Create or replace a file your lane owns, with the complete new content. Missing folders are created. ' +
      'Writing a file your lane does not own is refused. For a small change to a big file, prefer edit_file.',
    input_schema: {
      type: 'object',
      properties: {
        path: pathProperty('File path relative to the worktree root.'),
        content: { type: 'string', description: 'The complete content of the file.' },
      },
      required: ['path', 'content'],
    },
  },
  {
    name: 'edit_file',
    description:
      'Replace exact text in a file your lane owns. `old_text` must appear exactly once (whitespace and line breaks ' +
      'count) unless `replace_all` is true; include surrounding lines to make it unique.',
    input_schema: {
      type: 'object',
      properties: {
        path: pathProperty('File path relative to the worktree root.'),
        old_text: { type: 'string', description: 'The exact text to replace, copied from the file.' },
        new_text: { type: 'string', description: 'The text to put in its place.' },
        replace_all: { type: 'boolean', description: 'Replace every occurrence instead of exactly one. Default false.' },
      },
      required: ['path', 'old_text', 'new_text'],
    },
  },
  {
    name: 'delete_file',
    description: 'Delete a file your lane owns.',
    input_schema: {
      type: 'object',
      properties: { path: pathProperty('File path relative to the worktree root.') },
      required: ['path'],
    },
  },
  {
    name: 'run_tests',
    description:
      "Run your lane's acceptance test command (given in your task) in the worktree. Returns the exit code and the " +
      'last 100 lines of output. This is the only command you can run.',
    input_schema: { type: 'object', properties: {} },
  },
  {
    name: 'report_blocker',
    description:
      'Stop and ask a person one question you cannot settle from the spec, the contract or the answers you were ' +
      'given (a product decision, an ambiguity, something another lane must provide). Ask it so it can be answered ' +
      'in one line. You may be answered at once, or in a later run.',
    input_schema: {
      type: 'object',
      properties: { question: { type: 'string', description: 'The question, in one or two sentences.' } },
      required: ['question'],
    },
  },
  {
    name: 'finish',
    description:
      'End your lane when its acceptance test passes. Give a short summary: what you changed, file by file; how you ' +
      'tested it; anything a reviewer should look at.',
    input_schema: {
      type: 'object',
      properties: { summary: { type: 'string', description: 'The closing summary.' } },
      required: ['summary'],
    },
  },
]);

export const LANE_TOOL_NAMES: readonly LaneToolName[] = LANE_TOOLS.map((tool) => tool.name);
