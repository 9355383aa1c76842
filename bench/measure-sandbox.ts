import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLaneTasks } from '../e2e/utils/lane-tasks';
import type { ScratchWorkspace } from '../e2e/utils/scratch-workspace';
import type * as SandboxModule from '../packages/nx-agent-lanes/src/sandbox';
import { formatMs, formatRatio, formatSeconds, median, type BenchRow } from './bench-table';
import { assertNxOk, loadBuiltModule, runNx } from './bench-workspace';

type SandboxMode = 'off' | 'required';
type Isolation = SandboxModule.SandboxIsolation;

/** Lane runs per sandbox mode, taken alternately so drift hits both alike. */
export const SANDBOX_LANE_REPEATS = 5;
/** The stand-in agent's simulated model time: a real lane's model time is seconds to minutes. */
export const SANDBOX_AGENT_MS = 3000;
const START_REPEATS = 21;
const LANE = 'l1';
const AGENT_SCRIPT = 'tools/sandbox-bench-agent.js';

/**
 * The stand-in agent, committed in the bench workspace: a sandboxed lane sees neither the host's
 * /tmp nor the user's home, so it cannot run from there. Reads the prompt, waits as a model
 * would, writes the lane's one file.
 */
const AGENT_SOURCE = `const fs = require('node:fs');
const path = require('node:path');
const [ms, file] = process.argv.slice(2);
fs.readFileSync(0, 'utf8');
setTimeout(() => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'exports.lane = ' + JSON.stringify(file) + ';\\n');
}, Number(ms));
`;

/** Each run is its own feature, so every run is a cold one: `sbx-off-1`, `sbx-required-1`, ... */
export const sandboxFeatureName = (mode: SandboxMode, repeat: number) => `sbx-${mode}-${repeat}`;

/** The committed files of the sandbox lanes: the agent script and a one-lane feature per run. */
export function planSandboxFiles(): Record<string, string> {
  const files: Record<string, string> = { [AGENT_SCRIPT]: AGENT_SOURCE };
  for (let i = 1; i <= SANDBOX_LANE_REPEATS; i++) {
    for (const mode of ['off', 'required'] as const) {
      const name = sandboxFeatureName(mode, i);
      const owns = `src/${name}/${LANE}.js`;
      files[`features/${name}/contract.md`] = `# ${name} contract\n\nThe lane writes one module.\n`;
      files[`features/${name}/lanes/${LANE}.md`] = `# ${LANE}\n\nWrite ${owns}.\n`;
      files[`features/${name}/feature.jsonc`] = JSON.stringify(
        {
          goal: `Bench feature ${name}`,
          contract: 'contract.md',
          agent: { provider: 'command', command: `node ${AGENT_SCRIPT} ${SANDBOX_AGENT_MS} ${owns}` },
          sandbox: mode,
          lanes: { [LANE]: { spec: `lanes/${LANE}.md`, owns: [owns], test: `node ${owns}` } },
        },
        null,
        2,
      );
    }
  }
  return files;
}

/** The sandbox as this machine has it, or why not (the rows then say so and miss). */
function detectIsolation(): { isolation: Isolation } | { reason: string } {
  const { detectSandbox } = loadBuiltModule<typeof SandboxModule>('src/sandbox');
  const detection = detectSandbox();
  return detection.available
    ? { isolation: { kind: 'bwrap', bwrapPath: detection.bwrapPath, socatPath: detection.socatPath } }
    : { reason: `${detection.reason}. ${detection.hint}` };
}

/**
 * `nx run <feature>:verify--l1` (the command agent, then its verify) of the same lane with
 * `"sandbox": "off"` and `"sandbox": "required"`, median of SANDBOX_LANE_REPEATS cold runs each, the worktree pool off.
 * Both runs are checked to have run both tasks, and in the sandbox or not as asked.
 */
export async function measureSandboxedLanes(options: { ws: ScratchWorkspace; env: NodeJS.ProcessEnv }): Promise<BenchRow[]> {
  const measure = `sandboxed vs unsandboxed lane wall time (agent ${formatSeconds(SANDBOX_AGENT_MS)} + verify, median of ${SANDBOX_LANE_REPEATS})`;
  const detected = detectIsolation();
  if ('reason' in detected) return [{ measure, figure: `not measured: ${detected.reason}`, goal: '<= 1.10x', pass: false }];
  const { ws } = options;
  // No worktree pool: only sandboxed stages give worktrees back, and an unsandboxed lane claims
  // them, so with alternating runs the pool would decide which side checks out cold. Without it
  // both check out every worktree, and the difference is the sandbox's.
  const env = { ...options.env, NX_AGENT_LANES_POOL_SIZE: '0' };
  const wallMs: Record<SandboxMode, number[]> = { off: [], required: [] };
  for (let i = 1; i <= SANDBOX_LANE_REPEATS; i++) {
    for (const mode of ['off', 'required'] as const) {
      const feature = sandboxFeatureName(mode, i);
      const run = assertNxOk(await runNx({ root: ws.root, args: ['run', `${feature}:verify--${LANE}`], env }), `the ${feature} lane and its verify`);
      const ran = readLaneTasks(run.output).filter((t) => t.feature === feature && t.cache === undefined).map((t) => t.target);
      if (ran.length !== 2) throw new Error(`${feature}: expected the agent and verify tasks to run, got ${ran.join(', ') || 'none'}:\n${run.output.slice(-2000)}`);
      assertSandboxed(ws, feature, mode === 'required');
      wallMs[mode].push(run.ms);
    }
  }
  const off = median(wallMs.off);
  const sandboxed = median(wallMs.required);
  const ratio = sandboxed / off;
  return [
    {
      measure,
      figure: `${formatSeconds(sandboxed)} vs ${formatSeconds(off)} = ${formatRatio(ratio)} (+${formatMs(sandboxed - off)})`,
      goal: '<= 1.10x',
      pass: ratio <= 1.1,
    },
  ];
}

function assertSandboxed(ws: ScratchWorkspace, feature: string, expected: boolean): void {
  for (const file of ['result.json', 'verify.json']) {
    const record = JSON.parse(ws.read(`dist/agent-lanes/${feature}/${LANE}/${file}`)) as { sandboxed?: boolean };
    if (record.sandboxed !== expected) throw new Error(`${feature}: ${file} says sandboxed ${record.sandboxed}, expected ${expected}`);
  }
}

/**
 * Wall time of runSandboxed starting `true` and seeing it exit: unsandboxed, in the sandbox, and
 * in the sandbox with the API proxy bridged in (a loopback HTTP server standing in for the
 * metering proxy). Medians of START_REPEATS, the three taken in turn after one warm-up each.
 */
export async function measureSandboxedStart(): Promise<BenchRow[]> {
  const detected = detectIsolation();
  const measures = ['sandboxed process start, no network', 'sandboxed process start, with the API proxy bridge'];
  if ('reason' in detected) return measures.map((measure) => ({ measure, figure: `not measured: ${detected.reason}`, goal: '< 50 ms over unsandboxed', pass: false }));
  const { runSandboxed } = loadBuiltModule<typeof SandboxModule>('src/sandbox');
  const top = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-bench-sandbox-'));
  const worktree = join(top, 'worktree');
  mkdirSync(worktree);
  const api = createServer((_, response) => response.end('ok'));
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const port = (api.address() as AddressInfo).port;
  const startMs = async (isolation: Isolation, network?: SandboxModule.SandboxNetwork): Promise<number> => {
    const started = performance.now();
    const run = await runSandboxed({
      command: 'true',
      cwd: worktree,
      env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
      isolation,
      writable: [worktree],
      scratch: join(top, 'scratch'),
      network,
      signal: new AbortController().signal,
      timeoutMs: 20_000,
      outputCapBytes: 64 * 1024,
      onLine: () => undefined,
    });
    const ms = performance.now() - started;
    if (run.exitCode !== 0 || run.sandboxed !== (isolation.kind === 'bwrap')) throw new Error(`\`true\` through runSandboxed (${isolation.kind}) exited ${run.exitCode}: ${run.stderrTail.join('\n')}`);
    return ms;
  };
  const variants = [
    { isolation: { kind: 'none' } as Isolation },
    { isolation: detected.isolation },
    { isolation: detected.isolation, network: { apiProxy: { port } } },
  ];
  try {
    const times = variants.map(() => [] as number[]);
    for (const v of variants) await startMs(v.isolation, v.network);
    for (let i = 0; i < START_REPEATS; i++) {
      for (const [k, v] of variants.entries()) times[k].push(await startMs(v.isolation, v.network));
    }
    const [none, sandboxed, bridged] = times.map(median);
    return [sandboxed, bridged].map((ms, k) => ({
      measure: `${measures[k]} (\`true\`, median of ${START_REPEATS})`,
      figure: `${formatMs(ms)} vs ${formatMs(none)} unsandboxed = +${formatMs(ms - none)}`,
      goal: '< 50 ms over unsandboxed',
      pass: ms - none < 50,
    }));
  } finally {
    api.close();
    rmSync(top, { recursive: true, force: true });
  }
}
