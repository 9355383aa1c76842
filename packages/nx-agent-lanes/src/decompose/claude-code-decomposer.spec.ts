import type { SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decideClaudeDecomposeResult } from './claude-code-decompose-result';
import { guardSnapshotRead } from './claude-code-read-guard';

let scratch: string;
let snapshot: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-decompose-cc-'));
  snapshot = join(scratch, 'workspace');
  mkdirSync(join(snapshot, 'libs/a/src'), { recursive: true });
  writeFileSync(join(snapshot, 'libs/a/src/index.ts'), 'export const a = 1;\n');
  writeFileSync(join(scratch, 'secret.txt'), 'not for the model\n');
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe('guardSnapshotRead', () => {
  const guard = (toolName: string, toolInput: unknown) => guardSnapshotRead({ readRoot: snapshot, toolName, toolInput });

  it('allows reads inside the snapshot, absolute (as Claude Code passes them) or relative', async () => {
    expect(await guard('Read', { file_path: join(snapshot, 'libs/a/src/index.ts') })).toEqual({ allow: true });
    expect(await guard('Read', { file_path: 'libs/a/src/index.ts' })).toEqual({ allow: true });
    expect(await guard('Glob', { pattern: '**/*.ts' })).toEqual({ allow: true });
    expect(await guard('Glob', { pattern: 'src/*.ts', path: join(snapshot, 'libs/a') })).toEqual({ allow: true });
    expect(await guard('Grep', { pattern: 'export', path: 'libs' })).toEqual({ allow: true });
    expect(await guard('Grep', { pattern: 'export' })).toEqual({ allow: true });
  });

  it('refuses a path outside the snapshot, however it is written, naming the path', async () => {
    const outside = join(scratch, 'secret.txt');
    expect(await guard('Read', { file_path: outside })).toEqual({ allow: false, reason: expect.stringContaining(`\`${outside}\` is outside the workspace you read`) });
    expect(await guard('Read', { file_path: '../secret.txt' })).toEqual({ allow: false, reason: expect.stringContaining('leaves the worktree') });
    expect(await guard('Grep', { pattern: 'x', path: '/etc' })).toEqual({ allow: false, reason: expect.stringContaining('`/etc` is outside') });
    expect(await guard('Glob', { pattern: '/etc/**' })).toEqual({ allow: false, reason: expect.stringContaining('`/etc` is outside') });
    expect(await guard('Glob', { pattern: '../*.txt' })).toEqual({ allow: false, reason: expect.stringContaining('leaves the worktree') });
    expect(await guard('Read', {})).toEqual({ allow: false, reason: 'Read needs a `file_path`.' });
  });

  it('follows a symbolic link out of the snapshot, and keeps .git out', async () => {
    symlinkSync(join(scratch, 'secret.txt'), join(snapshot, 'link.txt'));
    expect(await guard('Read', { file_path: join(snapshot, 'link.txt') })).toEqual({ allow: false, reason: expect.stringContaining('symbolic link') });
    symlinkSync(scratch, join(snapshot, 'up'));
    expect(await guard('Glob', { pattern: 'up/**' })).toEqual({ allow: false, reason: expect.stringContaining('symbolic link') });
    expect(await guard('Read', { file_path: '.git/config' })).toEqual({ allow: false, reason: expect.stringContaining('inside .git') });
  });
});

describe('decideClaudeDecomposeResult', () => {
  const result = (fields: Partial<SDKResultMessage>) =>
    ({ type: 'result', subtype: 'success', is_error: false, num_turns: 3, total_cost_usd: 0.12, usage: {}, permission_denials: [], result: 'Done.', ...fields }) as SDKResultMessage;
  const end = { proposed: false, interrupted: false, stderrTail: [] };

  it('is finished once the last proposal was reviewed, however the session ended after it', () => {
    expect(decideClaudeDecomposeResult({ ...end, proposed: true, result: result({ subtype: 'error_max_turns', is_error: true }) })).toEqual({ status: 'finished' });
    expect(decideClaudeDecomposeResult({ ...end, proposed: true, interrupted: true, thrown: new Error('Claude Code process aborted by user') })).toEqual({ status: 'finished' });
  });

  it('maps the rest: interrupted, a limit, an error, a start that failed, a session that ended', () => {
    expect(decideClaudeDecomposeResult({ ...end, interrupted: true, thrown: new Error('aborted') })).toEqual({ status: 'failed', reason: 'interrupted' });
    expect(decideClaudeDecomposeResult({ ...end, result: result({ subtype: 'error_max_budget_usd', is_error: true }) })).toEqual({
      status: 'over-budget',
      reason: 'the agent stopped at its limit (error_max_budget_usd) after 3 turns, $0.12',
    });
    expect(decideClaudeDecomposeResult({ ...end, result: result({ subtype: 'error_max_turns', is_error: true }) })).toMatchObject({ status: 'over-budget', reason: expect.stringContaining('error_max_turns') });
    expect(decideClaudeDecomposeResult({ ...end, result: result({ is_error: true, result: 'API Error: 500 boom\nmore' }), stderrTail: ['warn: x'] })).toEqual({
      status: 'failed',
      reason: 'the agent reported an error: API Error: 500 boom\nLast lines of stderr:\n  warn: x',
    });
    expect(decideClaudeDecomposeResult({ ...end, thrown: new Error('spawn claude ENOENT\nat x'), stderrTail: ['', 'no such file'] })).toEqual({
      status: 'failed',
      reason: 'Claude Code did not finish: spawn claude ENOENT\nLast lines of stderr:\n  no such file',
    });
    expect(decideClaudeDecomposeResult({ ...end, result: result({}) })).toEqual({ status: 'finished' });
  });
});
