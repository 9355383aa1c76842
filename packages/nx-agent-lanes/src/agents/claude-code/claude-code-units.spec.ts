import { execFileSync, execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testFeature, testLane } from '../../__fixtures__/lane-fixture';
import { claudeInstructionsAtBaseCommand, planAgentInputs } from '../../hashing/lane-cache-inputs';
import { readClaudeSession, readSavedSession, restoreClaudeSession } from './claude-session';
import { guardClaudeTool } from './guard-claude-tool';
import { loadAgentSdk } from './load-agent-sdk';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-claude-code-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('guardClaudeTool', () => {
  const ownership = { owns: ['apps/api/src/**'], forbids: ['apps/api/src/secret.ts'], otherLanes: [{ name: 'fmt', owns: ['libs/fmt/**'] }] };
  const guard = (toolName: string, toolInput: unknown) => guardClaudeTool({ worktree: root, lane: 'api', ownership, toolName, toolInput });

  it('allows a write to an owned file, given as Claude Code gives it (absolute) or relative', async () => {
    mkdirSync(join(root, 'apps/api/src'), { recursive: true });
    expect(await guard('Write', { file_path: join(root, 'apps/api/src/a.ts'), content: 'x' })).toEqual({ allow: true });
    expect(await guard('Edit', { file_path: 'apps/api/src/a.ts', old_string: 'x', new_string: 'y' })).toEqual({ allow: true });
  });

  it('refuses another lane\'s file, a forbidden file and a path outside the worktree, naming why', async () => {
    expect(await guard('Write', { file_path: join(root, 'libs/fmt/x.ts'), content: 'x' })).toEqual({ allow: false, reason: expect.stringContaining('belongs to lane `fmt`') });
    expect(await guard('Edit', { file_path: 'apps/api/src/secret.ts' })).toEqual({ allow: false, reason: expect.stringContaining('forbidden') });
    expect(await guard('Write', { file_path: '/etc/passwd', content: 'x' })).toEqual({ allow: false, reason: expect.stringContaining('absolute path') });
    expect(await guard('NotebookEdit', { notebook_path: join(root, 'notes.ipynb') })).toEqual({ allow: false, reason: expect.stringContaining('notes.ipynb') });
  });

  it('follows a symbolic link out of the lane\'s files', async () => {
    mkdirSync(join(root, 'apps/api/src'), { recursive: true });
    mkdirSync(join(root, 'libs/fmt'), { recursive: true });
    symlinkSync(join(root, 'libs/fmt'), join(root, 'apps/api/src/link'));
    expect(await guard('Write', { file_path: join(root, 'apps/api/src/link/x.ts') })).toEqual({ allow: false, reason: expect.stringContaining('symbolic link') });
  });

  it('leaves tools that write no file to the sandbox, and refuses a write tool without its path', async () => {
    expect(await guard('Bash', { command: 'echo hi > /etc/x' })).toEqual({ allow: true });
    expect(await guard('Write', { content: 'x' })).toEqual({ allow: false, reason: 'Write needs a `file_path`.' });
  });
});

describe('a Claude Code session kept across machines', () => {
  it('reads a session Claude Code filed under its config folder and puts it back for another working directory', () => {
    const first = join(root, 'one');
    mkdirSync(join(first, 'projects', '-some-old-worktree'), { recursive: true });
    writeFileSync(join(first, 'projects', '-some-old-worktree', 's-1.jsonl'), '{"type":"user","n":1}\n{"type":"assistant","n":2}\n{"torn');
    const session = readClaudeSession(first, 's-1');
    expect(session).toEqual({ sessionId: 's-1', entries: [{ type: 'user', n: 1 }, { type: 'assistant', n: 2 }] });
    expect(readSavedSession([session])).toEqual(session);
    expect(readSavedSession([{ messages: [] }])).toBeUndefined();

    const second = join(root, 'two');
    const cwd = join(root, 'new worktree');
    mkdirSync(cwd);
    restoreClaudeSession(second, cwd, session!);
    expect(readClaudeSession(second, 's-1')).toEqual(session);
    expect(execSync('ls projects', { cwd: second, encoding: 'utf8' }).trim()).toBe(cwd.replace(/[^a-zA-Z0-9]/g, '-'));
    expect(readClaudeSession(second, 'other')).toBeUndefined();
  });
});

describe('the claude-code lane\'s cache inputs', () => {
  it('key CLAUDE.md and .claude/ files at the base commit only when the plan opts in', () => {
    const feature = testFeature([]);
    const plain = testLane('api', ['apps/**'], { agent: { ...testLane('x', []).agent, provider: 'claude-code', claudeMd: false } });
    const opted = testLane('api', ['apps/**'], { agent: { ...plain.agent, claudeMd: true } });
    expect(planAgentInputs(feature, plain, { notes: 'n' })).not.toContainEqual({ runtime: claudeInstructionsAtBaseCommand('HEAD') });
    expect(planAgentInputs(feature, opted, { notes: 'n' })).toContainEqual({ runtime: claudeInstructionsAtBaseCommand('HEAD') });

    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
    git('init', '-q');
    mkdirSync(join(root, 'apps/.claude'), { recursive: true });
    writeFileSync(join(root, 'CLAUDE.md'), 'one\n');
    writeFileSync(join(root, 'apps/.claude/settings.json'), '{}\n');
    writeFileSync(join(root, 'apps/readme.md'), 'not an instruction\n');
    git('add', '-A');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'one');
    const listed = () => execSync(claudeInstructionsAtBaseCommand('HEAD'), { cwd: root, encoding: 'utf8', shell: '/bin/sh' });
    const before = listed();
    expect(before.trim().split('\n').map((line) => line.split('\t')[1])).toEqual(['CLAUDE.md', 'apps/.claude/settings.json']);
    writeFileSync(join(root, 'CLAUDE.md'), 'two\n');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qam', 'two');
    expect(listed()).not.toBe(before);
  });
});

describe('loadAgentSdk', () => {
  it('says to install the Agent SDK when the workspace does not have it', () => {
    expect(() => loadAgentSdk([root])).toThrow(/needs @anthropic-ai\/claude-agent-sdk, which is not installed/);
    try {
      loadAgentSdk([root]);
    } catch (error) {
      expect((error as { hint?: string }).hint).toContain('npm install --save-dev @anthropic-ai/claude-agent-sdk');
    }
  });
});
