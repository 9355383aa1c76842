import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { plantUserClaudeState, startRecordedReplay, tearDown, writeApiFmtProjects, type RecordedReplay } from './utils/loopback-lanes';
import { runNxAsync, type NxRun, type RecordedRequest } from './utils/run-nx-async';
import { createScratchWorkspace, type ScratchWorkspace } from './utils/scratch-workspace';

const AGENT_SDK_VERSION = (require('../package.json') as { devDependencies: Record<string, string> }).devDependencies['@anthropic-ai/claude-agent-sdk'];
const PROPOSE = 'mcp__decompose__propose_plan';

/**
 * `nx g nx-agent-lanes:decompose --provider claude-code` through the real nx CLI: the real Claude
 * Code binary, installed with the Agent SDK, read-only in a snapshot of the workspace's last
 * commit, talking to the loopback Messages API server through decompose's metering proxy. The
 * scripted model reads a file of the snapshot, one outside it (refused) and one only in the live
 * workspace (not there), loads propose_plan with ToolSearch, proposes two lanes owning one file
 * (the validator's problem comes back as an error result), then a valid plan, which is written.
 */
describe('decompose with the claude-code provider under the real nx CLI', () => {
  const marker = (name: string) => `${name}-${randomBytes(6).toString('hex')}`;
  const outsideMarker = marker('outside-snapshot');
  const liveMarker = marker('live-workspace-only');
  const homeMarker = marker('home-claude');
  const repoMarker = marker('repo-claude-md');
  let ws: ScratchWorkspace;
  let scratch: string;
  let outsideFile: string;
  let loop: RecordedReplay;
  let run: NxRun;
  let requests: RecordedRequest[];
  let leftRunning: string[];
  let shown: { targets: Record<string, unknown> };
  let tight: NxRun;
  let slow: NxRun;
  let slowLeftRunning: string[];
  let stopped: NxRun;
  let stoppedLeftRunning: string[];
  let nudged: NxRun;
  let nudgedRequests: RecordedRequest[];

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-e2e-decompose-cc-'));
    const hostHome = join(scratch, 'home');
    outsideFile = join(scratch, 'outside.txt');
    writeFileSync(outsideFile, `${outsideMarker}\n`);
    ws = createScratchWorkspace('decompose-claude-code', { extraDevDependencies: { '@anthropic-ai/claude-agent-sdk': AGENT_SDK_VERSION } });
    plantUserClaudeState(hostHome, ws.root, homeMarker);
    writeApiFmtProjects(ws, repoMarker);
    ws.commitAll('two projects');
    // Not committed: the agent reads the last commit, not the live workspace.
    ws.write('apps/api/src/live-only.js', `// ${liveMarker}\n`);

    loop = await startRecordedReplay({ sessions: [decomposeSession(outsideFile), overBudgetSession(), slowSession(), nudgedSession()] });
    // Decompose's scratch folders go here, so the process checks below see this run's processes
    // alone, not those of another test run on the machine.
    const runTmp = join(scratch, 'tmp');
    mkdirSync(runTmp);
    const leftRunningOf = (feature: string) => findProcessesWithEnv(join(runTmp, `nx-agent-lanes-decompose-${feature}-`));
    const env = { CI: 'true', HOME: hostHome, TMPDIR: runTmp, ANTHROPIC_API_KEY: 'sk-ant-e2e-not-a-real-key', ANTHROPIC_BASE_URL: loop.recorder.url };
    const decompose = (feature: string, ...extra: string[]) => decomposeUntil(feature, undefined, ...extra);
    const decomposeUntil = (feature: string, signal: AbortSignal | undefined, ...extra: string[]) =>
      runNxAsync(ws, ['g', 'nx-agent-lanes:decompose', feature, '--goal', 'Export orders as CSV', '--provider', 'claude-code', '--maxTurns', '10', ...extra, '--no-interactive'], env, { signal });
    run = await decompose('csv');
    requests = loop.recorder.requests.filter((r) => r.path === '/v1/messages');
    leftRunning = leftRunningOf('csv');
    shown = JSON.parse(ws.nx(['show', 'project', 'csv', '--json']).stdout);
    tight = await decompose('tight', '--budgetUsd', '0.01');
    slow = await decompose('slow', '--timeoutMinutes', '0.25');
    slowLeftRunning = leftRunningOf('slow');
    // SIGINT to nx (not its process group) once the model is asked: nx must stop Claude Code itself.
    const stop = new AbortController();
    const asked = loop.recorder.requests.length;
    const poll = setInterval(() => loop.recorder.requests.length > asked && stop.abort(), 100);
    stopped = await decomposeUntil('slow-stop', stop.signal);
    clearInterval(poll);
    stoppedLeftRunning = leftRunningOf('slow-stop');
    const beforeNudge = loop.recorder.requests.length;
    nudged = await decompose('nudged');
    nudgedRequests = loop.recorder.requests.slice(beforeNudge);
  }, 600_000);

  afterAll(() => tearDown('DECOMPOSE_CLAUDE_CODE_E2E_KEEP', { replay: loop, ws, scratch }));

  it('writes the plan accepted in the second round, through the metering proxy, and nx infers its lanes', () => {
    expect({ status: run.status, tail: run.status === 0 ? '' : run.output.slice(-4000) }).toEqual({ status: 0, tail: '' });
    expect(run.output).toMatch(/decompose: accepted after 2 proposals · 4 turns · in [\d.]+k? \(from cache \d+%\) out [\d.]+k? · \$0\.\d{4} of \$1\.00/);
    expect(run.output).toContain('proposal 1/3: 1 problem, sent back to the agent');
    const plan = ws.read('features/csv/feature.jsonc');
    expect(plan).toContain('Proposed by `nx g nx-agent-lanes:decompose` (claude-code');
    expect(parseJsonc(plan).lanes.fmt.owns).toEqual(['libs/fmt/src/**']);
    expect(ws.read('features/csv/contract.md')).toContain('# csv contract');
    expect(ws.read('features/csv/lanes/api.md')).toContain('# Lane: api');
    expect(existsSync(join(ws.root, 'features/csv/lanes/fmt.md'))).toBe(true);
    expect(Object.keys(shown.targets)).toEqual(expect.arrayContaining(['lane--api', 'lane--fmt', 'verify--api', 'verify--fmt', 'integrate']));
  });

  it('sends the validator\'s problem back as an error result of propose_plan, and stops after the accepted plan', () => {
    // Each request is one turn: the last holds the answer to the second proposal, none came after it.
    expect(requests).toHaveLength(4);
    const afterFirst = requests[3].body;
    expect(afterFirst).toContain('toolu_decompose_2_0');
    const result = readToolResult(afterFirst, 'toolu_decompose_2_0');
    expect(result).toMatchObject({ is_error: true });
    expect(JSON.stringify(result)).toContain('Lanes `api` and `fmt` both own');
    // One line per model turn, priced by the meter; Claude Code hands a turn's later tool calls over one by one.
    expect(run.output).toMatch(/\[decompose\] turn 1\/10 · 1 tool call \(Read apps\/api\/src\/index\.js\) · in [\d.]+k \(cache read \d+\) out \d+ · \$0\.\d{4} of \$1\.00\n/);
    expect(run.output).toMatch(/\[decompose\] turn 1\/10 · Read \S+outside\.txt\n/);
    expect(run.output).toMatch(/\[decompose\] turn 3\/10 · 1 tool call \(mcp__decompose__propose_plan\)/);
  });

  it('reads the snapshot of the last commit only: a path outside it is refused at the tool, the live workspace is not there', () => {
    const reads = requests[1].body;
    expect(JSON.stringify(readToolResult(reads, 'toolu_decompose_0_0'))).toContain("exports.api = 'base'");
    const outside = readToolResult(reads, 'toolu_decompose_0_1');
    expect(outside).toMatchObject({ is_error: true });
    expect(JSON.stringify(outside)).toContain('is outside the workspace you read');
    expect(run.output).toContain(`refused Read: \`${outsideFile}\` is outside the workspace you read`);
    expect(readToolResult(reads, 'toolu_decompose_0_2')).toMatchObject({ is_error: true });
    for (const request of requests) {
      for (const kept of [outsideMarker, liveMarker, homeMarker, repoMarker]) expect({ kept, found: request.body.includes(kept) }).toEqual({ kept, found: false });
    }
  });

  it('offers Claude Code no tool that writes or runs, and leaves no process running', () => {
    const tools = (JSON.parse(requests[0].body) as { tools: Array<{ name: string }> }).tools.map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(['Read', 'Glob', 'Grep', PROPOSE]));
    for (const name of ['Bash', 'Write', 'Edit', 'NotebookEdit', 'WebFetch', 'Task', 'Agent']) expect(tools).not.toContain(name);
    expect(leftRunning).toEqual([]);
  });

  it('ends over budget when a turn exceeds it, with no plan written, saying which limit stopped it', () => {
    expect(tight.status).not.toBe(0);
    // Claude Code's maxBudgetUsd stops it after the turn, before the proxy would refuse the next request.
    expect(tight.output).toMatch(/decompose proposed no valid plan for tight: the agent stopped at its limit \(error_max_budget_usd\) after 1 turns, \$0\.\d\d/);
    expect(existsSync(join(ws.root, 'features/tight'))).toBe(false);
  });

  it('stops Claude Code at the timeout, mid-turn, and leaves nothing running', () => {
    expect(slow.status).not.toBe(0);
    expect(slow.output).toContain('decompose proposed no valid plan for slow: timed out after 0.25 minutes');
    expect(slow.durationMs).toBeLessThan(45_000);
    expect(slowLeftRunning).toEqual([]);
    expect(existsSync(join(ws.root, 'features/slow'))).toBe(false);
  });

  it('stops Claude Code when nx is interrupted, and leaves nothing running', () => {
    expect(stopped.status).not.toBe(0);
    expect(stopped.output).toContain('decompose proposed no valid plan for slow-stop: interrupted');
    expect(stopped.durationMs).toBeLessThan(45_000);
    expect(stoppedLeftRunning).toEqual([]);
  });

  it('asks a model that ended its turn without a plan once more, in the same Claude Code session', () => {
    expect({ status: nudged.status, tail: nudged.status === 0 ? '' : nudged.output.slice(-3000) }).toEqual({ status: 0, tail: '' });
    expect(nudged.output).toContain('the agent ended without an accepted plan: asking it once more');
    expect(nudged.output).toContain('decompose: accepted after 1 proposal · 2 turns');
    expect(nudgedRequests).toHaveLength(2);
    // The resumed session holds the first turn, then the nudge.
    expect(nudgedRequests[1].body).toContain('The plan is clear to me.');
    expect(nudgedRequests[1].body).toContain('You ended your turn without handing in an accepted plan');
    expect(parseJsonc(ws.read('features/nudged/feature.jsonc')).lanes.tiny.owns).toEqual(['libs/tiny/src/**']);
  });
});

/** The tool_result block answering `id` in a request body. */
function readToolResult(body: string, id: string): Record<string, unknown> | undefined {
  const { messages } = JSON.parse(body) as { messages: Array<{ content: unknown }> };
  for (const message of messages) {
    if (!Array.isArray(message.content)) continue;
    const block = message.content.find((b: { type?: string; tool_use_id?: string }) => b.type === 'tool_result' && b.tool_use_id === id);
    if (block) return block as Record<string, unknown>;
  }
  return undefined;
}

/** Processes of this user whose environment mentions `needle` (a decompose's scratch folder). */
function findProcessesWithEnv(needle: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').includes(needle)) found.push(`${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`);
    } catch {
      // Gone already, or another user's.
    }
  }
  return found;
}

type Lanes = Record<string, { owns: string[]; test: string }>;

/** The csv feature's lanes: api and fmt, fmt owning `fmtOwns`. */
function csvLanes(fmtOwns: string[]): Lanes {
  return { api: { owns: ['apps/api/src/**'], test: 'node tools/check-api.js' }, fmt: { owns: fmtOwns, test: 'node tools/check-fmt.js' } };
}

/** A propose_plan call handing in a plan of `lanes`. */
function propose(feature: string, lanes: Lanes) {
  const plan = {
    goal: 'Export orders as CSV',
    contract: 'contract.md',
    lanes: Object.fromEntries(Object.entries(lanes).map(([lane, l]) => [lane, { spec: `lanes/${lane}.md`, ...l }])),
    integration: { test: Object.values(lanes).map((l) => l.test).join(' && ') },
  };
  return {
    content: [
      {
        type: 'tool_use',
        name: PROPOSE,
        input: {
          feature_jsonc: JSON.stringify(plan, null, 2),
          contract_md: `# ${feature} contract\n## format(rows) (libs/fmt, used by api)\n`,
          lane_specs: Object.fromEntries(Object.keys(lanes).map((lane) => [lane, `# Lane: ${lane}\nDeliver the ${lane} part.\n`])),
        },
      },
    ],
  };
}

function decomposeSession(outsideFile: string) {
  return {
    name: 'decompose',
    match: { contains: 'You are proposing the plan of feature `csv`' },
    turns: [
      {
        content: [
          { type: 'tool_use', name: 'Read', input: { file_path: 'apps/api/src/index.js' } },
          { type: 'tool_use', name: 'Read', input: { file_path: outsideFile } },
          { type: 'tool_use', name: 'Read', input: { file_path: 'apps/api/src/live-only.js' } },
        ],
      },
      { content: [{ type: 'tool_use', name: 'ToolSearch', input: { query: `select:${PROPOSE}`, max_results: 1 } }] },
      propose('csv', csvLanes(['libs/fmt/src/**', 'apps/api/src/index.js'])),
      propose('csv', csvLanes(['libs/fmt/src/**'])),
      { content: [{ type: 'text', text: 'The plan is accepted.' }] },
    ],
  };
}

/** A first turn whose output alone (5,000 tokens) costs more than a $0.01 budget. */
function overBudgetSession() {
  return {
    name: 'tight',
    match: { contains: 'You are proposing the plan of feature `tight`' },
    turns: [
      { content: [{ type: 'tool_use', name: 'Read', input: { file_path: 'apps/api/src/index.js' } }], usage: { output_tokens: 5000 } },
      { content: [{ type: 'text', text: 'Too expensive.' }] },
    ],
  };
}

/** A model that takes a minute to answer its first turn. */
function slowSession() {
  return {
    name: 'slow',
    // Also feature `slow-stop`'s.
    match: { contains: 'You are proposing the plan of feature `slow' },
    turns: [{ content: [{ type: 'text', text: 'Too late.' }], latencyMs: 60_000 }],
  };
}

/** A model that ends its first turn without proposing, and proposes when asked once more. */
function nudgedSession() {
  return {
    name: 'nudged',
    match: { contains: 'You are proposing the plan of feature `nudged`' },
    turns: [
      { content: [{ type: 'text', text: 'The plan is clear to me.' }] },
      propose('nudged', { tiny: { owns: ['libs/tiny/src/**'], test: 'node -e "require(\'./libs/tiny/src/index.js\')"' } }),
    ],
  };
}
