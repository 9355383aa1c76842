import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../tools/demo/story-workspace';

interface DemoRun {
  status: number | null;
  output: string;
}

/** The demo as a person runs it; asynchronous, so Jest's timeout still holds while it plays. */
function runDemo(args: string[]): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'tools', 'demo', 'run-demo.mjs'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', NX_DAEMON: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

/**
 * `npm run demo -- --from-goal`: the workspace starts without the plan, decompose proposes it from
 * the goal (a scripted session on the replay server: one proposal refused by the validator, the
 * next accepted), and the whole export story plays on the plan it wrote, with every check of the
 * demo's steps and the report's total against the lanes' share of the served usage.
 */
describe('npm run demo -- --from-goal', () => {
  let run: DemoRun;

  beforeAll(async () => {
    run = await runDemo(['--from-goal', '--clean']);
  });

  it('plays the whole story on the plan decompose wrote, every step as told', () => {
    expect(run.output).toContain('every step did what the story says');
    expect(run.status).toBe(0);
  });

  it('shows decompose refusing the overlapping proposal and accepting the next', () => {
    expect(run.output).toContain('$ nx g nx-agent-lanes:decompose export-feature --goal "Customers download their orders, invoices and account activity as CSV files" --lanes 4');
    expect(run.output).toMatch(/\[decompose\] turn 1\/30 · 3 tool calls \(list_files apps, read_file libs\/data\/src\/index\.js/);
    expect(run.output).toMatch(/\[decompose\] proposal 1\/3: 1 problem, sent back to the agent\n.*Lanes `backend` and `frontend` both own `apps\/api\/src\/routes\/index\.js`/);
    expect(run.output).toContain('[decompose] proposal 2/3: the validator accepted it (4 lanes)');
    expect(run.output).toMatch(/decompose: accepted after 2 proposals · 3 turns · .* · \$0\.\d{4} of \$1\.00/);
  });

  it("prices decompose apart from the feature's report, whose total equals the lanes' served usage", () => {
    const decompose = /decompose, on its own meter \(not in the feature's report\): \$(\d+\.\d{4})/.exec(run.output)?.[1];
    const costLine = /decompose: accepted after 2 proposals · .* · \$(\d+\.\d{4}) of \$1\.00/.exec(run.output)?.[1];
    expect(decompose).toBeDefined();
    expect(decompose).toBe(costLine);
    const whole = Number(/whole sum of served usage, priced: +\$(\d+\.\d{4})/.exec(run.output)?.[1]);
    const report = Number(/Report total, every paid attempt of every lane: +\$(\d+\.\d{4})/.exec(run.output)?.[1]);
    expect(run.output).toMatch(/Replay server's own sum of served usage, priced: \$\d+\.\d{4} {2}equal/);
    expect(Math.abs(whole - report - Number(decompose))).toBeLessThan(0.0002);
  });
});
