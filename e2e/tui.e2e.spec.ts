import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as story from '../tools/demo/export-story';
import type { Story } from '../tools/demo/export-story';
import { createNxEnv, createStoryWorkspace, nxBin } from '../tools/demo/story-workspace';

/**
 * The export story's launch and resume under Nx's terminal UI, in a real pseudo-terminal
 * (tmux, with `script` recording what the terminal received). Under the TUI every task runs in
 * a process of its own, so "which lanes ran in this command" cannot come from a parent pid, and
 * the TUI hides task output once it closes: the run-level summary must appear after it.
 */
describe('integrate under the Nx TUI', () => {
  let ctx: Story;
  let scratch: string;
  const socket = `nx-agent-lanes-tui-${process.pid}`;
  const tmux = (args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-e2e-tui-'));
    const ws = createStoryWorkspace({ prefix: 'nx-agent-lanes-e2e-tui-ws-' });
    const replay = await story.startReplayBackend();
    ctx = { ws, server: replay.server, agentEnv: replay.env };
    await story.prepareStory(ctx);
    // Nx asks about analytics on its first run in a terminal, which would hold the TUI back.
    const nxJson = ws.readJson('nx.json');
    writeFileSync(ws.path('nx.json'), `${JSON.stringify({ ...nxJson, analytics: false }, null, 2)}\n`);
    ws.commitAll('no analytics prompt');
  });

  afterAll(async () => {
    tmux(['kill-server']);
    await ctx?.server?.close();
    ctx?.ws.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  /**
   * Runs `nx run export-feature:integrate` in a 160x45 terminal with the TUI forced on, presses
   * `q` once Nx reports every task complete (the TUI stays open after a failure), and returns
   * what the terminal showed after the TUI left its alternate screen.
   */
  async function runInTui(name: string, env: NodeJS.ProcessEnv): Promise<{ afterTui: string; sawTui: boolean }> {
    const log = join(scratch, `${name}.typescript`);
    const runner = join(scratch, `${name}.sh`);
    const exports = Object.entries({ ...createNxEnv({ ...ctx.agentEnv, ...env }, { nodeBinary: ctx.ws.nodeBinary }), NX_TUI: 'true', TERM: 'xterm-256color' })
      .filter(([key, value]) => value !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      .map(([key, value]) => `export ${key}='${String(value).replace(/'/g, `'\\''`)}'`);
    writeFileSync(runner, `${exports.join('\n')}\ncd '${ctx.ws.root}'\nexec '${ctx.ws.nodeBinary}' '${nxBin(ctx.ws.root)}' run ${story.FEATURE}:integrate\n`);
    expect(tmux(['new-session', '-d', '-s', name, '-x', '160', '-y', '45', `script -qfec 'sh ${runner}' '${log}'`]).status).toBe(0);
    const plain = () => (existsSync(log) ? readFileSync(log, 'utf8').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '') : '');
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline && !/NX\s+(Completed|Successfully ran|Ran)/.test(plain())) await sleep(500);
    for (let i = 0; i < 20 && tmux(['has-session', '-t', name]).status === 0; i++) {
      tmux(['send-keys', '-t', name, 'q']);
      await sleep(500);
    }
    const raw = readFileSync(log, 'utf8');
    const leave = raw.lastIndexOf('\x1b[?1049l');
    return { sawTui: raw.includes('\x1b[?1049h') && leave >= 0, afterTui: raw.slice(leave + 1).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '') };
  }

  it('prints the blocker and its answer command after the TUI closes, and counts the lanes that ran', async () => {
    // The TUI gives every task a terminal: this run must end the lane blocked, not wait in place.
    const launch = await runInTui('launch', { NX_AGENT_LANES_WAIT_FOR_ANSWER: 'false' });
    expect(launch.sawTui).toBe(true);
    expect(launch.afterTui).toMatch(/nx-agent-lanes · export-feature: 4 lanes ran, 0 from cache/);
    expect(launch.afterTui).toMatch(/export-logic\s+BLOCKED: .*UTC/);
    expect(launch.afterTui).toContain('answer: nx g nx-agent-lanes:answer export-feature --lane export-logic --answer "..."');
    expect(ctx.ws.readJson(`dist/agent-lanes/${story.FEATURE}/export-logic/result.json`).status).toBe('blocked');
  });

  it('after the answer, reports the resumed lane as run in this command and the others as cached', async () => {
    const answered = await ctx.ws.nx(['g', 'nx-agent-lanes:answer', story.FEATURE, '--lane', 'export-logic', '--answer', 'UTC, with an explicit column header']);
    expect(answered.status).toBe(0);
    const resume = await runInTui('resume', { NX_AGENT_LANES_WAIT_FOR_ANSWER: 'false' });
    expect(resume.sawTui).toBe(true);
    expect(resume.afterTui).toMatch(/nx-agent-lanes · export-feature: 1 lane ran, 3 from cache/);
    const report = ctx.ws.readJson(`dist/agent-lanes/${story.FEATURE}/integration/result.json`);
    const fromCache = Object.fromEntries(report.lanes.map((l: { name: string; fromCache?: boolean }) => [l.name, Boolean(l.fromCache)]));
    expect(fromCache).toEqual({ backend: true, 'export-logic': false, frontend: true, docs: true });
    expect(readFileSync(ctx.ws.path(`dist/agent-lanes/${story.FEATURE}/integration/report.md`), 'utf8')).toMatch(/1 lane \(3 more from cache\)/);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
