import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeEnv, nxBin } from '../tools/demo/story-workspace';
import { createScratchWorkspace, nxEnv, readAgentRuns, type ScratchWorkspace } from './utils/scratch-workspace';

const FEATURES = ['orders', 'invoices'];
const LANES = ['api', 'logic', 'web', 'docs'];
const ROUNDS = 3;

/**
 * Two `nx` commands of two features in one repository at once, each running four lanes in
 * parallel: eight worktrees are created, pruned and removed concurrently by two Nx processes
 * and their run hooks. Repeated, with every lane's inputs changed each round so every agent
 * runs again. Nothing may fail and no branch may be lost or left behind.
 */
describe('two features integrating at once', () => {
  let ws: ScratchWorkspace;
  let scratch: string;

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-e2e-concurrent-log-'));
    ws = createScratchWorkspace('concurrent');
    ws.write('tools/scripted-agent.js', readFileSync(join(__dirname, 'fixtures', 'scripted-agent.js'), 'utf8'));
    for (const feature of FEATURES) {
      ws.write(`features/${feature}/contract.md`, `# ${feature}\n`);
      const lanes: Record<string, unknown> = {};
      for (const lane of LANES) {
        ws.write(`features/${feature}/lanes/${lane}.md`, `# ${lane}\n`);
        lanes[lane] = { spec: `lanes/${lane}.md`, owns: [`src/${feature}/${lane}/**`], test: 'node -e 0' };
      }
      ws.write(
        `features/${feature}/feature.jsonc`,
        // Unsandboxed: the scripted agent logs its runs outside the workspace, which a sandboxed lane cannot write.
        JSON.stringify({ goal: `${feature} as CSV`, contract: 'contract.md', sandbox: 'off', agent: { provider: 'command', command: 'node tools/scripted-agent.js' }, lanes }, null, 2),
      );
    }
    ws.nx(['g', 'nx-agent-lanes:init']);
    ws.commitAll('two features');
  });

  afterAll(() => {
    ws?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  const integrate = (feature: string, round: number) =>
    new Promise<{ feature: string; status: number | null; output: string }>((resolve) => {
      const script = Object.fromEntries(LANES.map((lane) => [lane, { files: { [`src/${feature}/${lane}/out.js`]: `// ${feature} ${lane} round ${round}\n` } }]));
      const child = spawn(ws.nodeBinary, [nxBin(ws.root), 'run', `${feature}:integrate`], {
        cwd: ws.root,
        env: nxEnv({ ...nodeEnv(ws.nodeBinary), AGENT_LOG: join(scratch, 'agent-runs.jsonl'), AGENT_SCRIPT: JSON.stringify(script), AGENT_SLEEP_MS: '300', CI: 'true' }),
      });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('close', (status) => resolve({ feature, status, output }));
    });

  it(`runs ${ROUNDS} rounds of both features at once with no failure and no lost branch`, async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      // New specs each round: every lane's agent runs again in both features.
      for (const feature of FEATURES) for (const lane of LANES) ws.write(`features/${feature}/lanes/${lane}.md`, `# ${lane}\n\nRound ${round}.\n`);
      ws.commitAll(`round ${round}`);
      const before = readAgentRuns(join(scratch, 'agent-runs.jsonl')).length;
      const runs = await Promise.all(FEATURES.map((f) => integrate(f, round)));
      for (const run of runs) expect({ feature: run.feature, round, status: run.status, output: run.status === 0 ? '' : run.output }).toEqual({ feature: run.feature, round, status: 0, output: '' });
      expect(readAgentRuns(join(scratch, 'agent-runs.jsonl')).length - before).toBe(FEATURES.length * LANES.length);
      for (const feature of FEATURES) {
        const files = ws.git(['ls-tree', '-r', '--name-only', `lanes/${feature}`, '--', `src/${feature}`]).split('\n').sort();
        expect(files).toEqual(LANES.map((lane) => `src/${feature}/${lane}/out.js`).sort());
        expect(ws.git(['show', `lanes/${feature}:src/${feature}/api/out.js`])).toBe(`// ${feature} api round ${round}`);
      }
      expect(ws.git(['worktree', 'list', '--porcelain']).split('\n').filter((l) => l.startsWith('worktree '))).toEqual([`worktree ${ws.root}`]);
      expect(ws.git(['branch', '--list', 'agent-lanes/*'])).toBe('');
    }
  });
});
