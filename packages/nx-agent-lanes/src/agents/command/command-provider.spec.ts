import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentError } from '../../errors';
import type { AgentConfig } from '../../feature/feature-types';
import type { AgentRunInput } from '../provider';
import { createTestRunner } from '../../stage/__fixtures__/test-runner';
import { BLOCKER_FILE_NAME, createCommandProvider } from './command-provider';

const provider = createCommandProvider({ killGraceMs: 200 });
const node = JSON.stringify(process.execPath);

let root: string;
let worktree: string;
let scratchDir: string;
let logs: string[];
let events: Array<Record<string, unknown>>;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'command-provider-'));
  worktree = join(root, 'worktree');
  scratchDir = join(root, 'scratch');
  mkdirSync(worktree);
  logs = [];
  events = [];
});

afterEach(() => {
  // A failed assertion must not leave a sleeping process behind.
  for (const name of ['gc.pid', 'bg.pid']) {
    const file = join(worktree, name);
    if (existsSync(file)) killQuietly(Number(readFileSync(file, 'utf8').trim()));
  }
  rmSync(root, { recursive: true, force: true });
});

function agentConfig(command: string | undefined, timeoutMinutes = 10): AgentConfig {
  return { provider: 'command', model: 'none', maxTurns: 40, budgetUsd: 2, timeoutMinutes, maxTokens: 8192, command, prices: {}, claudeMd: false };
}

function runInput(command: string | undefined, overrides: Partial<AgentRunInput> = {}): AgentRunInput {
  return {
    feature: 'export-feature',
    lane: 'backend',
    worktree,
    prompt: { system: 'SYSTEM', task: 'TASK é', full: 'SYSTEM\n\nTASK é\n' },
    agent: agentConfig(command),
    testCommand: 'npx jest export.spec.ts',
    ownership: { owns: ['export.ts'], forbids: [], otherLanes: [] },
    env: { PATH: process.env['PATH'], FROM_CALLER: 'yes' },
    testEnv: { PATH: process.env['PATH'] },
    runProcess: createTestRunner({ worktree, scratch: scratchDir }),
    signal: new AbortController().signal,
    log: (line) => logs.push(line),
    transcript: (event) => events.push(event),
    scratchDir,
    ...overrides,
  };
}

/** A node script as the agent, written to the temp dir so no shell quoting gets in the way. */
function nodeAgent(source: string): string {
  const file = join(root, `agent-${Math.random().toString(36).slice(2)}.js`);
  writeFileSync(file, source);
  return `${node} ${JSON.stringify(file)}`;
}

/** Gone, or a zombie nobody reaps (PID 1 in a container may not): either way not running. */
/** Signals arrive asynchronously: give a killed process a moment to be gone. */
async function stopsRunning(pid: number, withinMs = 2000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '';
    return !state.startsWith('Z');
  } catch {
    return false;
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function readPid(name: string): number {
  const pid = Number(readFileSync(join(worktree, name), 'utf8').trim());
  expect(pid).toBeGreaterThan(0);
  return pid;
}

describe('command provider', () => {
  it('gives the prompt on stdin and in LANE_PROMPT_FILE, the LANE_* variables, and the worktree as cwd', async () => {
    const command = nodeAgent(`
      const fs = require('fs');
      const stdin = fs.readFileSync(0, 'utf8');
      fs.writeFileSync('seen.json', JSON.stringify({
        stdin,
        file: fs.readFileSync(process.env.LANE_PROMPT_FILE, 'utf8'),
        cwd: process.cwd(),
        feature: process.env.LANE_FEATURE,
        lane: process.env.LANE_NAME,
        test: process.env.LANE_TEST_COMMAND,
        blockerFile: process.env.LANE_BLOCKER_FILE,
        blockerExists: fs.existsSync(process.env.LANE_BLOCKER_FILE),
        fromCaller: process.env.FROM_CALLER,
        budget: process.env.LANE_BUDGET_USD,
        maxTurns: process.env.LANE_MAX_TURNS,
      }));
    `);
    const result = await provider.run(runInput(command));

    expect(result).toEqual({
      status: 'done',
      summary: undefined,
      turns: 0,
      costUsd: 0,
      usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    });
    const seen = JSON.parse(readFileSync(join(worktree, 'seen.json'), 'utf8'));
    expect(seen).toEqual({
      stdin: `SYSTEM\n\nTASK é\n\n## Your blocker file\n\nTo report a blocker, write the question to \`${join(worktree, BLOCKER_FILE_NAME)}\` (the file LANE_BLOCKER_FILE names; it is never part of your result), then stop and exit with status 0.\n`,
      file: `SYSTEM\n\nTASK é\n\n## Your blocker file\n\nTo report a blocker, write the question to \`${join(worktree, BLOCKER_FILE_NAME)}\` (the file LANE_BLOCKER_FILE names; it is never part of your result), then stop and exit with status 0.\n`,
      cwd: worktree,
      feature: 'export-feature',
      lane: 'backend',
      test: 'npx jest export.spec.ts',
      blockerFile: join(worktree, BLOCKER_FILE_NAME),
      blockerExists: false,
      fromCaller: 'yes',
      budget: '2',
      maxTurns: '40',
    });
    expect(events[0]).toMatchObject({ type: 'agent-start', provider: 'command', cwd: worktree });
    expect(events[events.length - 1]).toMatchObject({ type: 'agent-end', status: 'done', exitCode: 0 });
  });

  it("returns the tool uses Claude Code's record says it refused, one line each, and logs them", async () => {
    const record = JSON.stringify({
      type: 'result',
      subtype: 'success',
      is_error: false,
      num_turns: 3,
      result: 'ok',
      permission_denials: [
        { tool_name: 'Write', tool_use_id: 't1', tool_input: { file_path: '/home/u/outside.txt', content: 'x' } },
        { tool_name: 'Bash', tool_use_id: 't2', tool_input: { command: 'npx jest', description: 'run the tests' } },
        { tool_name: 'Bash', tool_use_id: 't3', tool_input: { command: 'npx jest', description: 'again' } },
      ],
    });
    const result = await provider.run(runInput(nodeAgent(`console.log(${JSON.stringify(record)});`)));
    expect(result).toMatchObject({ status: 'done', permissionDenials: ['Write: /home/u/outside.txt', 'Bash: npx jest', 'Bash: npx jest'] });
    expect(logs).toContain('Claude Code refused 3 tool uses for want of permission: Write: /home/u/outside.txt; Bash: npx jest');
    expect(events).toContainEqual(expect.objectContaining({ type: 'permission-denials', tools: result.permissionDenials }));
  });

  it('returns no permissionDenials when the record has none, or there is no record', async () => {
    const record = JSON.stringify({ type: 'result', subtype: 'success', is_error: false, num_turns: 1, result: 'ok', permission_denials: [] });
    expect(await provider.run(runInput(nodeAgent(`console.log(${JSON.stringify(record)});`)))).not.toHaveProperty('permissionDenials');
    expect(await provider.run(runInput('echo done'))).not.toHaveProperty('permissionDenials');
    expect(logs.some((line) => line.includes('refused'))).toBe(false);
  });

  it('reports a blocker written to LANE_BLOCKER_FILE before exit 0', async () => {
    const result = await provider.run(runInput(`printf 'UTC or local time in the CSV?\\n' > "$LANE_BLOCKER_FILE"`));
    expect(result).toMatchObject({ status: 'blocked', question: 'UTC or local time in the CSV?' });
    expect(logs[logs.length - 1]).toBe('blocked: UTC or local time in the CSV?');
  });

  it('reports a blocker written to the literal path the prompt gives, inside the working directory, and removes the file', async () => {
    const file = join(worktree, BLOCKER_FILE_NAME);
    const result = await provider.run(runInput(`grep -q ${JSON.stringify(file)} "$LANE_PROMPT_FILE" && printf 'Which time zone?' > ${JSON.stringify(file)}`));
    expect(result).toMatchObject({ status: 'blocked', question: 'Which time zone?' });
    // Never part of the lane's patch.
    expect(existsSync(file)).toBe(false);
  });

  it('leaves a checkout file of the blocker file name alone, takes the blocker in scratch instead, and ignores an old one there', async () => {
    writeFileSync(join(worktree, BLOCKER_FILE_NAME), 'tracked content');
    mkdirSync(scratchDir);
    writeFileSync(join(scratchDir, 'blocker.txt'), 'an old question');
    expect((await provider.run(runInput('true'))).status).toBe('done');
    expect(readFileSync(join(worktree, BLOCKER_FILE_NAME), 'utf8')).toBe('tracked content');
    const result = await provider.run(runInput(`test "$LANE_BLOCKER_FILE" = ${JSON.stringify(join(scratchDir, 'blocker.txt'))} && printf 'Q?' > "$LANE_BLOCKER_FILE"`));
    expect(result).toMatchObject({ status: 'blocked', question: 'Q?' });
  });

  it('fails on a non-zero exit, naming the code and the last lines of stderr', async () => {
    const lines = Array.from({ length: 15 }, (_, i) => `echo "problem ${i + 1}" >&2`).join('; ');
    const result = await provider.run(runInput(`${lines}; exit 4`));
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/^the agent command exited with code 4\nLast lines of stderr:\n {2}problem 6\n/);
    expect(result.reason).toMatch(/ {2}problem 15$/);
    expect(result.reason).not.toContain('problem 5\n');
  });

  it('streams stdout and stderr line by line whole, never mixing partial lines', async () => {
    const command = nodeAgent(`
      const out = (s) => new Promise((r) => process.stdout.write(s, r));
      const err = (s) => new Promise((r) => process.stderr.write(s, r));
      (async () => {
        await out('hello ');
        await err('warn');
        await out('world\\n');
        await err('ing: careful\\n');
        await out('no newline at the end');
      })();
    `);
    await provider.run(runInput(command));
    const output = logs.filter((line) => !/running the agent command|^done$/.test(line));
    expect(output.sort()).toEqual(['hello world', 'no newline at the end', 'warning: careful']);
    expect(events.filter((e) => e['type'] === 'output')).toEqual(
      expect.arrayContaining([
        { type: 'output', stream: 'stdout', line: 'hello world' },
        { type: 'output', stream: 'stderr', line: 'warning: careful' },
      ]),
    );
  });

  it('reads a Claude Code result record on the last stdout line', async () => {
    const record = {
      type: 'result',
      subtype: 'success',
      is_error: false,
      num_turns: 12,
      total_cost_usd: 0.731,
      result: 'Export route added; 6 tests green.',
      usage: { input_tokens: 2100, output_tokens: 3400, cache_read_input_tokens: 90000, cache_creation_input_tokens: 12000 },
    };
    const result = await provider.run(runInput(`echo 'working...'; echo '${JSON.stringify(record)}'; echo`));
    expect(result).toEqual({
      status: 'done',
      summary: 'Export route added; 6 tests green.',
      turns: 12,
      costUsd: 0.731,
      usage: { input: 2100, output: 3400, cacheRead: 90000, cacheWrite: 12000 },
    });
    expect(logs[logs.length - 1]).toBe('done (12 turns, $0.73)');
  });

  it('fails on is_error in the result record even when the command exits 0', async () => {
    const record = { type: 'result', subtype: 'error_during_execution', is_error: true, num_turns: 3, total_cost_usd: 0.05 };
    const result = await provider.run(runInput(`echo '${JSON.stringify(record)}'; exit 0`));
    expect(result).toMatchObject({ status: 'failed', turns: 3, costUsd: 0.05 });
    expect(result.reason).toContain('error_during_execution');
  });

  it('is over-budget when the result record says the budget ran out', async () => {
    const record = { type: 'result', subtype: 'error_max_budget_usd', is_error: true, num_turns: 30, total_cost_usd: 2.01 };
    const result = await provider.run(runInput(`echo '${JSON.stringify(record)}'; exit 1`));
    expect(result).toMatchObject({ status: 'over-budget', turns: 30, costUsd: 2.01 });
  });

  it('kills the whole process group on timeout, grandchildren included', async () => {
    // The agent (sh) starts a child (sh) that starts a grandchild (sleep).
    const command = `sh -c 'sleep 60 & echo $! > gc.pid; wait' & wait`;
    const result = await provider.run(runInput(command, { agent: agentConfig(command, 0.02) }));
    expect(result).toMatchObject({ status: 'failed', reason: 'timed out after 0.02 minutes' });
    expect(await stopsRunning(readPid("gc.pid"))).toBe(true);
  });

  it('sends SIGKILL after the grace period to an agent that ignores SIGTERM', async () => {
    const command = `trap '' TERM; sleep 60 & echo $! > gc.pid; wait`;
    const result = await provider.run(runInput(command, { agent: agentConfig(command, 0.01) }));
    expect(result).toMatchObject({ status: 'failed', reason: 'timed out after 0.01 minutes' });
    expect(await stopsRunning(readPid("gc.pid"))).toBe(true);
  });

  it('stops the agent when the caller aborts, and reports it as interrupted', async () => {
    const controller = new AbortController();
    const result = await provider.run(
      runInput(`sleep 60 & echo $! > gc.pid; echo ready; wait`, {
        signal: controller.signal,
        log: (line) => {
          logs.push(line);
          if (line === 'ready') controller.abort();
        },
      }),
    );
    expect(result).toMatchObject({ status: 'failed', reason: 'interrupted' });
    expect(await stopsRunning(readPid("gc.pid"))).toBe(true);
  });

  it('does not start the agent when the run is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await provider.run(runInput('touch started', { signal: controller.signal }));
    expect(result).toMatchObject({ status: 'failed', reason: 'interrupted' });
    expect(existsSync(join(worktree, 'started'))).toBe(false);
  });

  it('stops what the agent left running in the background when it exits', async () => {
    const result = await provider.run(runInput(`sleep 60 </dev/null >/dev/null 2>&1 & echo $! > bg.pid; exit 0`));
    expect(result.status).toBe('done');
    expect(await stopsRunning(readPid('bg.pid'))).toBe(true);
  });

  it('throws an AgentError with a hint when the lane has no command', async () => {
    const run = provider.run(runInput(undefined));
    await expect(run).rejects.toBeInstanceOf(AgentError);
    await expect(run).rejects.toMatchObject({ hint: expect.stringContaining('"command"') });
  });

  it('throws an AgentError when the worktree does not exist', async () => {
    await expect(provider.run(runInput('true', { worktree: join(root, 'missing') }))).rejects.toBeInstanceOf(AgentError);
  });
});
