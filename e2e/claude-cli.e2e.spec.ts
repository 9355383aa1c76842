import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { claudeCliScript, FMT_ANSWER, FMT_QUESTION } from './fixtures/claude-cli/claude-cli-script';
import { laneArtifacts, writeApiFmtProjects, plantUserClaudeState, startRecordedReplay, tearDown, type RecordedReplay, type ReplayServer } from './utils/loopback-lanes';
import { runNxAsync, type BodyRecorder, type NxRun, type RecordedRequest } from './utils/run-nx-async';
import { addProject, createScratchWorkspace, REPO_ROOT, type ScratchWorkspace } from './utils/scratch-workspace';

const CLAUDE_CODE_VERSION = (require('../package.json') as { devDependencies: Record<string, string> }).devDependencies['@anthropic-ai/claude-code'];

/** The `claude -p` line of README's command-provider section, as the shell will run it. */
function readReadmeClaudeLine(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const found = readme.match(/"command": ("[^"\n]*claude -p [^\n]*")\n/);
  if (!found) throw new Error('README.md has no "command": "... claude -p ..." line');
  return JSON.parse(found[1]) as string;
}

/**
 * The command provider with README's `claude -p` line, through the real nx CLI: the real Claude
 * Code binary installed into the scratch workspace, in the OS sandbox (required), talking to the
 * loopback Messages API server through the lane's metering proxy. Feature `cli` has two lanes:
 * - `api` writes its file, runs its acceptance test with Bash, tries a file outside its worktree;
 * - `fmt` writes its question into the blocker file; answered with the answer generator, only it reruns;
 * feature `cli-tight` one lane, `tiny`, whose budget its first turn exceeds; and `cli-home`, run
 * unsandboxed, the line beside one without its hermetic flags, the control.
 * The nx process gets a HOME of the test's making and CLAUDE_CONFIG_DIR at its ~/.claude, which
 * holds a marker in CLAUDE.md, in settings.json (a hook) and in this checkout's auto-memory.
 */
describe('README\'s claude -p line as a command agent under the real nx CLI', () => {
  const marker = `claude-home-marker-${randomBytes(6).toString('hex')}`;
  const repoMarker = `repo-claude-md-marker-${randomBytes(6).toString('hex')}`;
  const line = readReadmeClaudeLine();
  let ws: ScratchWorkspace;
  let scratch: string;
  let hostHome: string;
  let loop: RecordedReplay;
  let replay: ReplayServer;
  let recorder: BodyRecorder;
  let first: NxRun;
  let firstApiStartedAt: string;
  let answered: NxRun;
  let answeredSessions: Record<string, number>;
  let tight: NxRun;
  let hermeticRequests: RecordedRequest[];
  let hermetic: NxRun;
  let naive: NxRun;
  let naiveRequests: RecordedRequest[];
  let homeBefore: string[];
  let homeAfterHermetic: string[];

  const lanes = laneArtifacts(() => ws.root);
  const { laneDir, readJson } = lanes;
  const laneResult = (lane: string, feature = 'cli') => lanes.result(feature, lane);
  const transcript = (lane: string, feature = 'cli') => lanes.transcript(feature, lane);
  const requestsOf = (session: string) => loop.requestsOf(session);
  const env = () => ({
    NX_AGENT_LANES_WORKTREES: join(scratch, 'worktrees'),
    CI: 'true',
    HOME: hostHome,
    CLAUDE_CONFIG_DIR: join(hostHome, '.claude'),
    // As `npx nx` runs it: the workspace's node_modules/.bin first (Nx adds it for run-commands
    // only), and no other node_modules/.bin, so `claude` is the one installed in the workspace.
    PATH: [join(ws.root, 'node_modules', '.bin'), ...(process.env.PATH ?? '').split(delimiter).filter((p) => !p.endsWith(join('node_modules', '.bin')))].join(delimiter),
    ANTHROPIC_API_KEY: 'sk-ant-e2e-not-a-real-key',
    ANTHROPIC_BASE_URL: recorder.url,
  });
  const writeFeature = (name: string, plan: Record<string, unknown>) => {
    const lanes = plan.lanes as Record<string, unknown>;
    ws.write(`features/${name}/feature.jsonc`, `${JSON.stringify({ contract: 'contract.md', sandbox: 'required', ...plan }, null, 2)}\n`);
    ws.write(`features/${name}/contract.md`, `# ${name} contract\n`);
    for (const lane of Object.keys(lanes)) ws.write(`features/${name}/lanes/${lane}.md`, `# ${lane}\nSESSION: ${lane}\n`);
  };

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-e2e-claude-cli-'));
    hostHome = join(scratch, 'home');
    ws = createScratchWorkspace('claude-cli', { extraDevDependencies: { '@anthropic-ai/claude-code': CLAUDE_CODE_VERSION } });
    plantUserClaudeState(hostHome, ws.root, marker);

    writeApiFmtProjects(ws, repoMarker);
    addProject(ws, 'libs/naive', { 'src/index.js': "exports.naive = 'base';\n" });
    const agent = { provider: 'command', command: line, maxTurns: 10, budgetUsd: 1 };
    writeFeature('cli', {
      goal: 'Two lanes on claude -p',
      agent,
      lanes: {
        api: { spec: 'lanes/api.md', owns: ['apps/api/src/**'], test: 'node tools/check-api.js' },
        fmt: { spec: 'lanes/fmt.md', owns: ['libs/fmt/src/**'], test: 'node tools/check-fmt.js' },
      },
      integration: { test: 'node tools/check-api.js && node tools/check-fmt.js' },
    });
    writeFeature('cli-tight', { goal: 'A budget the first turn exceeds', agent: { ...agent, budgetUsd: 0.01 }, lanes: { tiny: { spec: 'lanes/tiny.md', owns: ['libs/tiny/src/**'], test: 'true' } } });
    // Unsandboxed, so CLAUDE_CONFIG_DIR (under the user's home, which the sandbox hides) is readable.
    writeFeature('cli-home', {
      goal: 'What of the user\'s Claude Code config reaches a request',
      sandbox: 'off',
      agent,
      lanes: {
        hermetic: { spec: 'lanes/hermetic.md', owns: ['libs/naive/hermetic/**'], test: 'true' },
        naive: { spec: 'lanes/naive.md', owns: ['libs/naive/naive/**'], test: 'true', agent: { command: 'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 claude -p --output-format stream-json --verbose' } },
      },
    });
    ws.commitAll('plan cli, cli-tight and cli-home');

    loop = await startRecordedReplay(claudeCliScript());
    ({ replay, recorder } = loop);

    first = await runNxAsync(ws, ['run', 'cli:integrate', '--parallel=2'], env());
    firstApiStartedAt = existsSync(join(laneDir('cli', 'api'), 'result.json')) ? laneResult('api').startedAt : 'no result.json';
    replay.reset();
    ws.nx(['g', 'nx-agent-lanes:answer', 'cli', '--lane', 'fmt', '--answer', FMT_ANSWER], { env: env() });
    answered = await runNxAsync(ws, ['run', 'cli:integrate', '--parallel=2'], env());
    answeredSessions = replay.stats().bySession;
    tight = await runNxAsync(ws, ['run', 'cli-tight:lane--tiny'], env());
    homeBefore = listTree(hostHome);
    hermetic = await runNxAsync(ws, ['run', 'cli-home:lane--hermetic'], env());
    homeAfterHermetic = listTree(hostHome);
    hermeticRequests = [...recorder.requests];
    naive = await runNxAsync(ws, ['run', 'cli-home:lane--naive'], env());
    naiveRequests = recorder.requests.slice(hermeticRequests.length);
  }, 600_000);

  afterAll(() => tearDown('CLAUDE_CLI_E2E_KEEP', { replay: loop, ws, scratch }));

  it('runs the workspace\'s Claude Code in the sandbox through the metering proxy: api ends done with its file', () => {
    const api = laneResult('api');
    expect({ status: api.status, sandboxed: api.sandboxed, provider: api.provider, usageSource: api.usageSource }).toEqual({
      status: 'done',
      sandboxed: true,
      provider: 'command',
      usageSource: 'proxy',
    });
    expect(api.filesChanged).toEqual([{ path: 'apps/api/src/api.js', status: 'added' }]);
    expect(api.turns).toBe(requestsOf('api').length);
    expect(api.turns).toBe(4);
    expect(api.tokens.output).toBeGreaterThan(0);
    expect(readJson(join(laneDir('cli', 'api'), 'verify.json')).passed).toBe(true);
    const init = transcript('api').find((e) => e.type === 'output' && String(e.line).includes('"subtype":"init"'));
    expect(JSON.parse(String(init?.line))).toMatchObject({ type: 'system', subtype: 'init', claude_code_version: CLAUDE_CODE_VERSION, permissionMode: 'acceptEdits' });
  });

  it('lets the lane run its acceptance test through Bash, and names the write it refused outside the worktree in result.json', () => {
    const afterTest = requestsOf('api').find((r) => r.body.includes('toolu_api_1_0') && r.body.includes('tool_result'));
    expect(afterTest?.body).toContain('api check passed');
    expect(afterTest?.body).not.toContain('requires approval');
    expect(laneResult('api').permissionDenials).toEqual([`Write: ${join(scratch, 'worktrees', 'cli', 'outside-the-worktree.txt')}`]);
    expect(existsSync(join(scratch, 'worktrees', 'outside-the-worktree.txt'))).toBe(false);
  });

  it('ends fmt blocked with the question written to the blocker file the prompt names', () => {
    expect(first.status).not.toBe(0);
    expect(first.output).toContain(`BLOCKED: ${FMT_QUESTION}`);
    const prompt = requestsOf('fmt')[0]?.body ?? '';
    expect(prompt).toMatch(/To report a blocker, write the question to `[^`]*\/\.nx-agent-lanes-blocker\.txt`/);
    expect(first.output).toMatch(/\[api\] done: 1 file changed; 4 turns/);
  });

  it('reruns only fmt after the answer, with the answer in its prompt, and integrates green', () => {
    expect({ status: answered.status, tail: answered.status === 0 ? '' : answered.output.slice(-3000) }).toEqual({ status: 0, tail: '' });
    expect(answeredSessions).toEqual({ 'fmt-answered': 2 });
    const fmt = laneResult('fmt');
    expect({ status: fmt.status, question: fmt.question }).toEqual({ status: 'done', question: undefined });
    expect(fmt.filesChanged).toEqual([{ path: 'libs/fmt/src/fmt.js', status: 'added' }]);
    expect(laneResult('api').startedAt).toBe(firstApiStartedAt);
    expect(readJson(join(ws.root, 'dist/agent-lanes/cli/integration/result.json')).outcome).toBe('green');
    expect(ws.git(['diff', '--name-only', 'main', 'lanes/cli']).split('\n').sort()).toEqual(['apps/api/src/api.js', 'libs/fmt/src/fmt.js']);
  });

  it('stops at LANE_BUDGET_USD: Claude Code ends at --max-budget-usd, the lane over-budget with the metered tokens', () => {
    const tiny = laneResult('tiny', 'cli-tight');
    expect({ status: tiny.status, usageSource: tiny.usageSource, exit: tight.status === 0 }).toEqual({ status: 'over-budget', usageSource: 'proxy', exit: false });
    expect(tiny.tokens.output).toBeGreaterThanOrEqual(5000);
    expect(tiny.tokens.input + tiny.tokens.cacheWrite + tiny.tokens.cacheRead).toBeGreaterThan(1000);
    expect(requestsOf('tiny')).toHaveLength(1);
    const record = transcript('tiny', 'cli-tight').find((e) => e.type === 'output' && String(e.line).includes('"type":"result"'));
    expect(JSON.parse(String(record?.line))).toMatchObject({ subtype: 'error_max_budget_usd', is_error: true });
  });

  it('keeps the user\'s Claude Code config (CLAUDE.md, settings hooks, auto-memory) and the repository\'s CLAUDE.md out of every request, which a line without the hermetic flags lets in', () => {
    expect(hermeticRequests.length).toBeGreaterThanOrEqual(10);
    expect(hermeticRequests.filter((r) => r.body.includes(marker) || r.body.includes(repoMarker))).toEqual([]);
    // Unsandboxed, with CLAUDE_CONFIG_DIR at the user's ~/.claude: the line reads and writes nothing there.
    expect({ status: hermetic.status, result: laneResult('hermetic', 'cli-home').status }).toEqual({ status: 0, result: 'done' });
    expect(homeAfterHermetic).toEqual(homeBefore);
    // The control: the same config reaches the very first request when the line is not hermetic.
    expect({ status: naive.status, requests: naiveRequests.length }).toEqual({ status: 0, requests: 1 });
    expect(naiveRequests[0].body).toContain(`${marker} in CLAUDE.md`);
    expect(naiveRequests[0].body).toContain(`${marker} in memory`);
    expect(naiveRequests[0].body).toContain(`${marker} from a settings hook`);
    expect(naiveRequests[0].body).toContain(repoMarker);
    expect(listTree(hostHome)).not.toEqual(homeBefore);
    expect(replay.stats().unmatched).toBe(0);
  });
});

/** Every file and folder under `root` with its size and modification time, sorted. */
function listTree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const stat = statSync(path);
      out.push(`${path.slice(root.length)} ${entry.isDirectory() ? 'dir' : stat.size} ${stat.mtimeMs}`);
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(root);
  return out.sort();
}
