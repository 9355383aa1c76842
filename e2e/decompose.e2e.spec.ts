import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRecordedReplay, type RecordedReplay } from './utils/loopback-lanes';
import { stripAnsi } from '../tools/demo/export-story';
import { runNxAsync, type NxRun } from './utils/run-nx-async';
import { createScratchWorkspace, type ScratchWorkspace } from './utils/scratch-workspace';

/**
 * decompose through the real nx CLI: the prompt carries the workspace's projects and test
 * targets as Nx infers them, a rejected proposal's problems go back to the agent, and the
 * accepted plan is written and inferred by Nx with its targets.
 */
describe('nx g nx-agent-lanes:decompose', () => {
  let ws: ScratchWorkspace;
  let scratch: string;
  const goal = 'Customers see the price of their cart in their own currency';

  beforeAll(() => {
    ws = createScratchWorkspace('decompose');
    scratch = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-decompose-e2e-'));
    mkdirSync(runTmp());
    // A workspace as create-nx-workspace lays it out: apps and libs, a project.json with a command
    // target, a package.json project whose test target Nx infers from its scripts, a dependency.
    ws.write('apps/shop/project.json', JSON.stringify({ name: 'shop', projectType: 'application', tags: ['scope:shop'], implicitDependencies: ['rates'], targets: { test: { command: 'node --test apps/shop/src' } } }, null, 2));
    ws.write('apps/shop/src/cart.js', 'exports.cart = [];\n');
    // Nx infers package.json projects from the root package.json's workspaces.
    ws.write('package.json', JSON.stringify({ ...JSON.parse(ws.read('package.json')), workspaces: ['libs/rates'] }, null, 2));
    ws.write('libs/rates/package.json', JSON.stringify({ name: 'rates', version: '0.0.0', scripts: { test: 'node --test src' } }, null, 2));
    ws.write('libs/rates/src/index.js', 'exports.rates = { EUR: 1 };\n');
    ws.write('libs/unrelated/project.json', JSON.stringify({ name: 'unrelated', targets: {} }, null, 2));
    ws.write('libs/unrelated/src/index.js', 'exports.x = 1;\n');
    ws.write('.env', 'SECRET_IN_ENV_FILE=do-not-send\n');
    ws.write('.gitignore', `${ws.read('.gitignore')}.env\n`);
    ws.nx(['g', 'nx-agent-lanes:init']);
    ws.commitAll('workspace');
  });

  afterAll(() => {
    ws?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  // Decompose's scratch folders go here (TMPDIR), so a check for leftovers sees this run's alone,
  // not those of another test run on the machine.
  const runTmp = () => join(scratch, 'tmp');
  const decomposer = join(__dirname, 'fixtures', 'scripted-decomposer.cjs');
  const readPrompts = (log: string) => readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { round: number; cwd: string; stdin: string; file: string; key: string | null });
  // Plain text: with CI set, nx colours its CREATE lines.
  const decompose = (feature: string, extra: string[], env: NodeJS.ProcessEnv = {}) => {
    const run = ws.nx(['g', 'nx-agent-lanes:decompose', feature, '--goal', goal, '--no-interactive', ...extra], { env: { TMPDIR: runTmp(), ...env }, allowFailure: true });
    return { status: run.status, stdout: stripAnsi(run.stdout), stderr: stripAnsi(run.stderr) };
  };
  const decomposeAsync = async (args: string[], env: NodeJS.ProcessEnv) => {
    const run = await runNxAsync(ws, ['g', 'nx-agent-lanes:decompose', ...args, '--goal', goal, '--no-interactive'], { TMPDIR: runTmp(), ...env });
    return { ...run, output: stripAnsi(run.output) };
  };

  describe('the command protocol, with a scripted decomposer', () => {
    const log = () => join(scratch, 'command-prompts.jsonl');
    let run: ReturnType<typeof decompose>;

    beforeAll(() => {
      run = decompose('price-in-currency', ['--provider', 'command', '--command', `node ${decomposer}`], { DECOMPOSER_LOG: log(), ANTHROPIC_API_KEY: 'sk-user-real-key' });
    });

    it('writes the accepted second proposal, and Nx infers its lanes and targets', () => {
      expect(run.status).toBe(0);
      const plan = ws.read('features/price-in-currency/feature.jsonc');
      expect(plan).toContain('proposed in round 2');
      expect(plan).toContain('Proposed by `nx g nx-agent-lanes:decompose` (command');
      expect(plan).toContain('"$schema": "../../node_modules/nx-agent-lanes/feature.schema.json"');
      expect(ws.read('features/price-in-currency/lanes/cart.md')).toContain('# Lane: cart');
      const project = JSON.parse(ws.nx(['show', 'project', 'price-in-currency', '--json']).stdout);
      expect(Object.keys(project.targets).sort()).toEqual(['clean-lanes', 'integrate', 'lane--cart', 'lane--rates', 'verify--cart', 'verify--rates']);
      expect(run.stdout).toMatch(/decompose: accepted after 2 proposals · 0 turns/);
    });

    it('gives the prompt on stdin and in DECOMPOSE_PROMPT_FILE, in the workspace root, with no key', () => {
      const prompts = readPrompts(log());
      expect(prompts.map((p) => p.round)).toEqual([1, 2]);
      for (const p of prompts) {
        expect(p.stdin).toBe(p.file);
        expect(p.cwd).toBe(ws.root);
        expect(p.key).not.toBe('sk-user-real-key');
      }
    });

    it("carries the workspace's projects, their roots, tags, dependencies and test commands", () => {
      const [first] = readPrompts(log());
      expect(first.stdin).toContain(`Goal: ${goal}`);
      expect(first.stdin).toMatch(/\*\*shop\*\*: root `apps\/shop`; app(lication)?; tags scope:shop; depends on rates/);
      expect(first.stdin).toContain('target `test`: `node --test apps/shop/src`');
      // Inferred by Nx from package.json scripts.
      expect(first.stdin).toMatch(/\*\*rates\*\*: root `libs\/rates`/);
      expect(first.stdin).toContain('target `test`: `npm run test`');
      expect(first.stdin).toContain('apps/shop/src/cart.js');
      expect(first.stdin).toContain('Ownership is disjoint');
      expect(first.stdin).toContain('An example plan');
      expect(first.stdin).not.toContain('**price-in-currency**');
    });

    it("sends the first proposal's located problem back with that proposal", () => {
      const second = readPrompts(log())[1].stdin;
      expect(second).toContain('## Your previous proposal');
      expect(second).toContain('proposed in round 1');
      expect(second).toMatch(/## Problems with your proposal \(round 1\)[\s\S]*feature\.jsonc:\d+:\d+: [^\n]*libs\/rates\/src\/convert-price-in-currency\.js/);
      expect(run.stdout).toMatch(/proposal 1\/3: 1 problem, sent back to the agent/);
    });

    it('--dry-run runs the agent and writes nothing', () => {
      const dry = decompose('dry-feature', ['--provider', 'command', '--command', `node ${decomposer}`, '--dry-run'], { DECOMPOSER_LOG: join(scratch, 'dry.jsonl') });
      expect(dry.status).toBe(0);
      expect(dry.stdout).toContain('CREATE features/dry-feature/feature.jsonc');
      expect(existsSync(join(ws.root, 'features/dry-feature'))).toBe(false);
    });

    it('fails after the last round, writing nothing and keeping the last proposal with its problems', () => {
      const bad = decompose('never-valid', ['--provider', 'command', '--command', `node ${decomposer}`, '--rounds', '2'], { DECOMPOSER_LOG: join(scratch, 'bad.jsonl'), DECOMPOSER_ALWAYS_BAD: '1' });
      expect(bad.status).not.toBe(0);
      const output = bad.stdout + bad.stderr;
      expect(output).toContain('decompose proposed no valid plan for never-valid: no proposal passed the validator in 2 rounds');
      expect(existsSync(join(ws.root, 'features/never-valid'))).toBe(false);
      const kept = /kept in (\S+):/.exec(output)?.[1];
      expect(kept).toBeDefined();
      expect(readFileSync(join(kept!, 'proposal', 'feature.jsonc'), 'utf8')).toContain('proposed in round 2');
      expect(readFileSync(join(kept!, 'problems.txt'), 'utf8')).toContain('libs/rates/src/convert-never-valid.js');
      rmSync(kept!, { recursive: true, force: true });
    });

    it('names the missing option when --provider command has no --command', () => {
      const missing = decompose('no-command', ['--provider', 'command']);
      expect(missing.status).not.toBe(0);
      expect(missing.stdout + missing.stderr).toContain('--provider command needs --command');
    });
  });

  describe('the anthropic provider, against the loopback Messages API', () => {
    let replay: RecordedReplay;
    let run: NxRun;
    const feature = 'cart-currency';
    const overlapping = {
      goal,
      contract: 'contract.md',
      lanes: {
        rates: { spec: 'lanes/rates.md', owns: ['libs/rates/src/currency/**'], test: 'node --test libs/rates/src' },
        cart: { spec: 'lanes/cart.md', owns: ['apps/shop/src/cart-currency.js', 'libs/rates/src/currency/convert.js'], test: 'node --test apps/shop/src' },
      },
    };
    const valid = { ...overlapping, lanes: { ...overlapping.lanes, cart: { ...overlapping.lanes.cart, owns: ['apps/shop/src/cart-currency.js'] } } };
    const propose = (plan: unknown) => ({
      type: 'tool_use',
      name: 'propose_plan',
      input: { feature_jsonc: JSON.stringify(plan, null, 2), contract_md: '# Contract\n## 1. convert\n`convert(amount, from, to): number`\n', lane_specs: { rates: '# Lane: rates\n', cart: '# Lane: cart\n' } },
    });

    beforeAll(async () => {
      replay = await startRecordedReplay({
        sessions: [
          {
            name: 'decompose',
            match: { contains: `You are proposing the plan of feature \`${feature}\`` },
            turns: [
              { content: [{ type: 'tool_use', name: 'read_file', input: { path: 'apps/shop/src/cart.js' } }, { type: 'tool_use', name: 'read_file', input: { path: '.env' } }] },
              { content: [propose(overlapping)] },
              { content: [propose(valid)] },
              { content: [{ type: 'text', text: 'Done.' }] },
            ],
          },
          {
            name: 'over-budget',
            match: { contains: 'You are proposing the plan of feature `costly`' },
            turns: [
              { content: [{ type: 'tool_use', name: 'list_files', input: { path: 'apps' } }], usage: { output_tokens: 5000 } },
              { content: [propose(valid)] },
            ],
          },
        ],
      });
      // Async: this process serves the model API the generator talks to.
      run = await decomposeAsync([feature, '--lanes', '2'], { ANTHROPIC_API_KEY: 'sk-e2e-not-real', ANTHROPIC_BASE_URL: replay.recorder.url });
    });

    afterAll(() => replay?.close());

    const bodies = () => replay.recorder.requests.filter((r) => r.path?.endsWith('/v1/messages')).map((r) => JSON.parse(r.body) as { messages: Array<{ role: string; content: Array<Record<string, unknown>> }>; tools: Array<{ name: string }> });

    it('writes the second proposal after the first came back with its overlap', () => {
      expect(run.status).toBe(0);
      expect(JSON.parse(ws.nx(['show', 'project', feature, '--json']).stdout).targets).toHaveProperty('lane--cart');
      expect(ws.read(`features/${feature}/feature.jsonc`)).not.toContain('libs/rates/src/currency/convert.js');
      // Accepted on the third answer: no fourth request.
      expect(bodies()).toHaveLength(3);
    });

    it('hands the validator\'s located problem back as the tool result', () => {
      const third = bodies()[2];
      const last = third.messages[third.messages.length - 1];
      const result = last.content.find((b) => b.type === 'tool_result') as { is_error?: boolean; content: string };
      expect(result.is_error).toBe(true);
      expect(result.content).toMatch(/## Problems with your proposal \(round 1\)\n[\s\S]*feature\.jsonc:\d+:\d+: [^\n]*libs\/rates\/src\/currency\/convert\.js/);
    });

    it('reads a snapshot of the last commit, with read-only tools only', () => {
      const second = bodies()[1];
      const results = second.messages[second.messages.length - 1].content.filter((b) => b.type === 'tool_result') as Array<{ content: string; is_error?: boolean }>;
      expect(results[0].content).toContain('exports.cart = [];');
      expect(results[1].is_error).toBe(true);
      expect(JSON.stringify(bodies())).not.toContain('do-not-send');
      expect(bodies()[0].tools.map((t) => t.name)).toEqual(['read_file', 'list_files', 'search', 'propose_plan']);
    });

    it('meters every request through the proxy and prints the cost', () => {
      // The meter's turns are the requests the server answered: none went around the proxy.
      expect(bodies()).toHaveLength(3);
      expect(run.output).toMatch(/decompose: accepted after 2 proposals · 3 turns · in [\d.]+k? \(from cache \d+%\) out [\d.]+k? · \$0\.\d{4} of \$1\.00/);
      expect(readdirSync(runTmp()).filter((n) => n.startsWith(`nx-agent-lanes-decompose-${feature}-`))).toEqual([]);
    });

    it('stops at its budget, with the meter\'s figures, and writes nothing', async () => {
      const costly = await decomposeAsync(['costly', '--budgetUsd', '0.01'], { ANTHROPIC_API_KEY: 'sk-e2e-not-real', ANTHROPIC_BASE_URL: replay.recorder.url });
      expect(costly.status).not.toBe(0);
      expect(costly.output).toMatch(/decompose: no plan \(stopped by its limit: [^\n]*budget of \$0\.0100[^\n]*\) · 1 turn · [^\n]*\$0\.05\d\d of \$0\.01/);
      const kept = /The prompt is kept in (\S+?)\.\s/.exec(costly.output)?.[1];
      expect(readFileSync(join(kept!, 'prompt.md'), 'utf8')).toContain('You are proposing the plan of feature `costly`');
      rmSync(kept!, { recursive: true, force: true });
      expect(existsSync(join(ws.root, 'features/costly'))).toBe(false);
    });

    it('refuses without a key, naming the next step', () => {
      const noKey = decompose('no-key', [], { ANTHROPIC_API_KEY: '', ANTHROPIC_AUTH_TOKEN: '' });
      expect(noKey.status).not.toBe(0);
      expect(noKey.stdout + noKey.stderr).toContain('needs an API key, and ANTHROPIC_API_KEY is not set');
    });
  });
});
