import { createTestRunner } from '../../stage/__fixtures__/test-runner';
import { existsSync } from 'node:fs';
import { readFile, symlink } from 'node:fs/promises';
import * as path from 'node:path';
import { createTempTree, readTree, removeTempDirs } from './__fixtures__/lane-fixture';
import { LANE_TOOLS, runLaneTool, type LaneToolContext, type LaneToolOutcome } from './lane-tools';

afterEach(removeTempDirs);

async function setUp(testCommand = 'node -e "process.exit(0)"') {
  const outside = await createTempTree({ 'secret.txt': 'outside secret' });
  const worktree = await createTempTree({
    'src/a.ts': 'export const a = 1;\nexport const b = 1;\n',
    'src/secret.ts': 'forbidden',
    'web/app.ts': 'web lane',
    'README.md': 'readme',
    '.git/config': '[core]',
    'node_modules/x/index.js': 'module.exports = 1;',
  });
  await symlink(outside, path.join(worktree, 'src/link'));
  const context: LaneToolContext = {
    worktree,
    lane: 'backend',
    ownership: { owns: ['src/**'], forbids: ['src/secret.ts'], otherLanes: [{ name: 'web', owns: ['web/**'] }] },
    testCommand,
    env: { PATH: process.env.PATH },
    signal: new AbortController().signal,
    testTimeoutMs: 60_000,
    runProcess: createTestRunner({ worktree }),
  };
  const call = (name: string, input: unknown) => runLaneTool({ name, input }, context);
  return { worktree, outside, context, call };
}

function resultOf(outcome: LaneToolOutcome): { content: string; isError: boolean } {
  if (outcome.kind !== 'result') throw new Error(`expected a result, got ${outcome.kind}`);
  return outcome.result;
}

describe('LANE_TOOLS', () => {
  it('offers no shell: the only command the agent can run is the lane test', () => {
    expect(LANE_TOOLS.map((t) => t.name)).toEqual([
      'read_file', 'list_files', 'search', 'write_file', 'edit_file', 'delete_file', 'run_tests', 'report_blocker', 'finish',
    ]);
    expect(LANE_TOOLS[6].input_schema.properties).toEqual({});
  });

  it('answers an unknown tool (bash) with an error that says there is no shell', async () => {
    const { call, worktree } = await setUp();
    const before = await readTree(worktree);
    const result = resultOf(await call('bash', { command: 'rm -rf src' }));
    expect(result.isError).toBe(true);
    expect(result.content).toMatch(/no tool `bash`.*no shell/s);
    expect(await readTree(worktree)).toEqual(before);
  });
});

describe('write tools refuse every path the lane does not own', () => {
  it.each([
    ['a `..` escape', 'write_file', { path: '../escape.txt', content: 'x' }, /leaves the worktree/],
    ['a backslash `..` escape', 'write_file', { path: 'src\\..\\..\\escape.txt', content: 'x' }, /leaves the worktree/],
    ['.git/config', 'write_file', { path: '.git/config', content: 'x' }, /\.git or node_modules/],
    ['node_modules', 'write_file', { path: 'node_modules/x/index.js', content: 'x' }, /\.git or node_modules/],
    ['a forbidden file', 'edit_file', { path: 'src/secret.ts', old_text: 'forbidden', new_text: 'x' }, /forbidden to lane `backend`/],
    ["another lane's file", 'write_file', { path: 'web/app.ts', content: 'x' }, /belongs to lane `web`/],
    ['an unowned file', 'delete_file', { path: 'README.md' }, /not owned by lane `backend`.*owns: `src\/\*\*`/s],
    ['a link out of an owned folder', 'write_file', { path: 'src/link/evil.txt', content: 'x' }, /symbolic link.*outside the worktree/],
    ['a link to an existing outside file', 'edit_file', { path: 'src/link/secret.txt', old_text: 'outside', new_text: 'x' }, /outside the worktree/],
  ])('%s', async (_what, tool, input, message) => {
    const { call, worktree, outside } = await setUp();
    const before = { inside: await readTree(worktree), outside: await readTree(outside) };
    const result = resultOf(await call(tool, input));
    expect(result.isError).toBe(true);
    expect(result.content).toMatch(message);
    expect({ inside: await readTree(worktree), outside: await readTree(outside) }).toEqual(before);
    expect(existsSync(path.join(worktree, '..', 'escape.txt'))).toBe(false);
  });

  it('refuses an absolute path, even one inside the worktree', async () => {
    const { call, worktree } = await setUp();
    const result = resultOf(await call('write_file', { path: path.join(worktree, 'src/abs.ts'), content: 'x' }));
    expect(result).toEqual({ isError: true, content: expect.stringMatching(/absolute path/) });
    expect(existsSync(path.join(worktree, 'src/abs.ts'))).toBe(false);
  });

  it('refuses a link inside an owned folder that leads into another lane', async () => {
    const { call, worktree } = await setUp();
    await symlink(path.join(worktree, 'web'), path.join(worktree, 'src/to-web'));
    const result = resultOf(await call('write_file', { path: 'src/to-web/app.ts', content: 'x' }));
    expect(result.isError).toBe(true);
    expect(result.content).toMatch(/leads through a symbolic link to `web\/app.ts`.*lane `web`/s);
    expect(await readFile(path.join(worktree, 'web/app.ts'), 'utf8')).toBe('web lane');
  });

  it('refuses a dangling link, which would create a file elsewhere', async () => {
    const { call, worktree, outside } = await setUp();
    await symlink(path.join(outside, 'new.txt'), path.join(worktree, 'src/dangling.ts'));
    const result = resultOf(await call('write_file', { path: 'src/dangling.ts', content: 'x' }));
    expect(result.isError).toBe(true);
    expect(existsSync(path.join(outside, 'new.txt'))).toBe(false);
  });
});

describe('write tools judge ownership as verify does', () => {
  it('let a lane owning a literal folder write inside it, and not in a sibling sharing its prefix', async () => {
    const { context, worktree } = await setUp();
    const literal: LaneToolContext = { ...context, ownership: { owns: ['src'], forbids: ['src/secret.ts'], otherLanes: [] } };
    const write = (p: string) => runLaneTool({ name: 'write_file', input: { path: p, content: 'x' } }, literal).then(resultOf);
    expect((await write('src/deep/new.ts')).isError).toBe(false);
    expect(await readFile(path.join(worktree, 'src/deep/new.ts'), 'utf8')).toBe('x');
    expect(await write('srcs/new.ts')).toEqual({ isError: true, content: expect.stringMatching(/not owned by lane `backend`/) });
    expect(await write('src/secret.ts')).toEqual({ isError: true, content: expect.stringMatching(/forbidden to lane `backend`/) });
  });

  it('do not name another lane as the owner of a file that lane forbids', async () => {
    const { context } = await setUp();
    const ownership = { owns: ['src/**'], forbids: [], otherLanes: [{ name: 'web', owns: ['web'], forbids: ['web/generated'] }] };
    const result = resultOf(await runLaneTool({ name: 'write_file', input: { path: 'web/generated/a.ts', content: 'x' } }, { ...context, ownership }));
    expect(result.content).toMatch(/not owned by lane `backend`/);
    expect(result.content).not.toMatch(/belongs to lane `web`/);
  });
});

describe('write tools on owned files', () => {
  it('writes, creating folders; edits once; deletes', async () => {
    const { call, worktree } = await setUp();
    expect(resultOf(await call('write_file', { path: './src/deep/new.ts', content: 'x = $&;\n' })).isError).toBe(false);
    expect(await readFile(path.join(worktree, 'src/deep/new.ts'), 'utf8')).toBe('x = $&;\n');
    const edit = resultOf(await call('edit_file', { path: 'src/a.ts', old_text: 'const a = 1', new_text: 'const a = "$1"' }));
    expect(edit).toEqual({ isError: false, content: 'Edited src/a.ts: replaced 1 occurrence.' });
    expect(await readFile(path.join(worktree, 'src/a.ts'), 'utf8')).toBe('export const a = "$1";\nexport const b = 1;\n');
    expect(resultOf(await call('delete_file', { path: 'src/deep/new.ts' })).isError).toBe(false);
    expect(existsSync(path.join(worktree, 'src/deep/new.ts'))).toBe(false);
  });

  it('refuses an ambiguous or missing old_text, and replaces all only when asked', async () => {
    const { call, worktree } = await setUp();
    const ambiguous = resultOf(await call('edit_file', { path: 'src/a.ts', old_text: '= 1', new_text: '= 2' }));
    expect(ambiguous.isError).toBe(true);
    expect(ambiguous.content).toMatch(/occurs 2 times.*replace_all/s);
    const missing = resultOf(await call('edit_file', { path: 'src/a.ts', old_text: 'nope', new_text: 'x' }));
    expect(missing.isError).toBe(true);
    expect(missing.content).toMatch(/not found.*read_file/s);
    const all = resultOf(await call('edit_file', { path: 'src/a.ts', old_text: '= 1', new_text: '= 2', replace_all: true }));
    expect(all.content).toBe('Edited src/a.ts: replaced 2 occurrences.');
    expect(await readFile(path.join(worktree, 'src/a.ts'), 'utf8')).toBe('export const a = 2;\nexport const b = 2;\n');
  });

  it('explains a call with missing inputs instead of throwing', async () => {
    const { call } = await setUp();
    expect(resultOf(await call('write_file', { path: 'src/x.ts' }))).toEqual({ isError: true, content: 'write_file needs `content` as string.' });
    expect(resultOf(await call('edit_file', null)).content).toMatch(/`path`, `old_text`, `new_text`/);
  });
});

describe('read tools', () => {
  it('reads inside the worktree, in pages', async () => {
    const { call } = await setUp();
    expect(resultOf(await call('read_file', { path: 'README.md' }))).toEqual({ isError: false, content: 'readme' });
    expect(resultOf(await call('read_file', { path: 'src/a.ts', offset: 2, limit: 1 })).content).toBe(
      '[lines 2-2 of 3; read on with offset 3]\nexport const b = 1;',
    );
  });

  it.each([
    ['a `..` escape', '../secret.txt', /leaves the worktree/],
    ['a link out of the worktree', 'src/link/secret.txt', /outside the worktree/],
    ['git data', '.git/config', /inside \.git/],
  ])('refuses %s', async (_what, file, message) => {
    const { call } = await setUp();
    const result = resultOf(await call('read_file', { path: file }));
    expect(result.isError).toBe(true);
    expect(result.content).toMatch(message);
    expect(result.content).not.toContain('outside secret');
  });

  it('lists files without .git and node_modules, filtered by glob', async () => {
    const { call } = await setUp();
    expect(resultOf(await call('list_files', {})).content.split('\n')).toEqual([
      'README.md', 'src/a.ts', 'src/link', 'src/secret.ts', 'web/app.ts',
    ]);
    expect(resultOf(await call('list_files', { path: 'src', glob: '**/*.ts' })).content).toBe('src/a.ts\nsrc/secret.ts');
    expect(resultOf(await call('list_files', { glob: 'web' })).content).toBe('web/app.ts');
    expect(resultOf(await call('list_files', { glob: 'src/[abc' }))).toEqual({ isError: true, content: expect.stringMatching(/not a valid glob/) });
  });

  it('searches with a regex as path:line, never through links out of the worktree', async () => {
    const { call } = await setUp();
    expect(resultOf(await call('search', { pattern: 'const [ab]' })).content).toBe(
      'src/a.ts:1: export const a = 1;\nsrc/a.ts:2: export const b = 1;',
    );
    expect(resultOf(await call('search', { pattern: 'secret' })).content).toBe('No line matches `secret`.');
    const bad = resultOf(await call('search', { pattern: '(' }));
    expect(bad.isError).toBe(true);
    expect(bad.content).toMatch(/not a valid regular expression/);
  });
});

describe('run_tests', () => {
  it("runs only the lane's test command in the worktree and reports its exit code and output tail", async () => {
    const { call, worktree } = await setUp('node -e "console.log(process.cwd()); process.exit(3)"');
    const result = resultOf(await call('run_tests', { command: 'rm -rf src' }));
    expect(result.isError).toBe(false);
    expect(result.content).toMatch(/^Tests FAILED \(exit code 3\)/);
    expect(result.content).toContain(path.basename(worktree));
    expect(existsSync(path.join(worktree, 'src/a.ts'))).toBe(true);
  });

  it('keeps only the last 100 lines', async () => {
    const { call } = await setUp('node -e "for (let i = 1; i <= 150; i++) console.log(\'line \' + i)"');
    const result = resultOf(await call('run_tests', {}));
    expect(result.content).toMatch(/^Tests passed \(exit code 0\)/);
    expect(result.content).toContain('[last 100 of 150 lines]');
    expect(result.content).toContain('line 150');
    expect(result.content).not.toMatch(/line 50\n/);
  });

  it('stops a command that outlives its timeout', async () => {
    const { context } = await setUp('node -e "setTimeout(() => {}, 60000)"');
    const outcome = await runLaneTool({ name: 'run_tests', input: {} }, { ...context, testTimeoutMs: 200 });
    expect(resultOf(outcome)).toEqual({ isError: true, content: expect.stringMatching(/stopped after/) });
  });
});

describe('report_blocker and finish', () => {
  it('turn into outcomes, not results', async () => {
    const { call } = await setUp();
    expect(await call('report_blocker', { question: ' UTC or local? ' })).toEqual({ kind: 'blocker', question: 'UTC or local?' });
    expect(await call('finish', { summary: 'done' })).toEqual({ kind: 'finish', summary: 'done' });
    expect(resultOf(await call('report_blocker', {})).isError).toBe(true);
  });
});
