import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addProject, createScratchWorkspace, readAgentRuns, type ScratchWorkspace } from './utils/scratch-workspace';

/**
 * Two lanes whose own tests are green but whose seam is not: the backend sends a content type
 * the frontend does not accept. The integration test catches it; one line of feedback to one
 * lane fixes it, rerunning one agent; the branch lanes/<feature> appears only once it is green.
 */
describe('verify and integrate under Nx', () => {
  let ws: ScratchWorkspace;
  let scratch: string;
  let agentLog: string;
  const FEATURE = 'features/export-feature';
  const script = {
    api: {
      files: {
        'apps/api/src/export.js': "exports.exportHeaders = () => ({ 'Content-Type': 'application/octet-stream' });\n",
        'apps/api/src/export.spec.js': "require('node:assert').ok(require('./export.js').exportHeaders()['Content-Type']);\n",
      },
      fixes: [{ when: 'Send Content-Type: text/csv', files: { 'apps/api/src/export.js': "exports.exportHeaders = () => ({ 'Content-Type': 'text/csv' });\n" } }],
    },
    web: {
      files: {
        'apps/web/src/download.js':
          "exports.acceptsExport = (type) => type === 'text/csv';\nexports.download = (url) => { /* ... */ URL.revokeObjectURL(url); };\n",
        'apps/web/src/download.spec.js': "require('node:assert').ok(require('./download.js').acceptsExport('text/csv'));\n",
      },
    },
  };
  const runs = () => readAgentRuns(agentLog).map((r) => r.lane);
  const integrate = () =>
    ws.nx(['run', 'export-feature:integrate', '--parallel=4'], {
      allowFailure: true,
      env: { AGENT_LOG: agentLog, AGENT_SCRIPT: JSON.stringify(script), AGENT_SLEEP_MS: '200', CI: 'true' },
    });

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-e2e-log-'));
    agentLog = join(scratch, 'agent-runs.jsonl');
    ws = createScratchWorkspace('integrate');
    addProject(ws, 'apps/api');
    addProject(ws, 'apps/web');
    ws.write('tools/scripted-agent.js', readFileSync(join(__dirname, 'fixtures', 'scripted-agent.js'), 'utf8'));
    ws.write(
      'e2e/export.e2e.js',
      "const api = require('../apps/api/src/export.js');\nconst web = require('../apps/web/src/download.js');\n" +
        "const type = api.exportHeaders()['Content-Type'];\n" +
        "if (!web.acceptsExport(type)) { console.error(`the web app rejects the export's Content-Type ${type}`); process.exit(1); }\n" +
        "console.log('export seam ok');\n",
    );
    ws.nx(['g', 'nx-agent-lanes:init']);
    ws.nx(['g', 'nx-agent-lanes:feature', 'export-feature', '--goal', 'Customers download orders as CSV']);
    ws.nx(['g', 'nx-agent-lanes:lane', 'export-feature', 'api', '--owns', 'apps/api/src/export.js,apps/api/src/export.spec.js', '--test', 'node apps/api/src/export.spec.js']);
    ws.nx(['g', 'nx-agent-lanes:lane', 'export-feature', 'web', '--owns', 'apps/web/src/**', '--test', 'node apps/web/src/download.spec.js']);
    const planFile = `${FEATURE}/feature.jsonc`;
    ws.write(
      planFile,
      ws
        .read(planFile)
        // Unsandboxed: the scripted agent logs its runs outside the workspace, which a sandboxed lane cannot write.
        .replace(/"agent": \{[^}]*\}/, '"sandbox": "off",\n  "agent": { "provider": "command", "command": "node tools/scripted-agent.js" }')
        .replace('// "integration": { "test": "npx jest e2e/export-feature.e2e.spec.ts" },', '"integration": { "test": "node e2e/export.e2e.js" },')
        .replace('"review": { "risky": [] }', '"review": { "risky": ["apps/web/**"] }'),
    );
    ws.commitAll('plan export-feature');
  });

  afterAll(() => {
    ws?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('catches the seam mismatch both lanes missed, and keeps lanes/<feature> away', () => {
    const head = ws.git(['rev-parse', 'HEAD']);
    const r = integrate();
    expect(r.status).not.toBe(0);
    expect(runs().sort()).toEqual(['api', 'web']);
    for (const lane of ['api', 'web']) {
      expect(JSON.parse(ws.read(`dist/agent-lanes/export-feature/${lane}/verify.json`)).passed).toBe(true);
    }
    const result = JSON.parse(ws.read('dist/agent-lanes/export-feature/integration/result.json'));
    expect(result.outcome).toBe('integration-test-failed');
    expect(result.integration.outputTail).toContain("the web app rejects the export's Content-Type application/octet-stream");
    expect(ws.git(['branch', '--list', 'lanes/export-feature'])).toBe('');
    expect(ws.read('dist/agent-lanes/export-feature/integration/report.md')).toContain('nx g nx-agent-lanes:feedback export-feature --lane');
    expect(ws.git(['rev-parse', 'HEAD'])).toBe(head);
    expect(ws.git(['status', '--porcelain'])).toBe('');
  });

  it('goes green after one line of feedback to one lane, rerunning one agent', () => {
    ws.nx(['g', 'nx-agent-lanes:feedback', 'export-feature', '--lane', 'api', '--message', 'Send Content-Type: text/csv as the web app expects']);
    const before = runs().length;
    const r = integrate();
    expect(r.status).toBe(0);
    expect(runs().slice(before)).toEqual(['api']);
    const api = JSON.parse(ws.read('dist/agent-lanes/export-feature/api/result.json'));
    expect(api.startedFrom).toBe('previous-patch');
    expect(ws.git(['log', '--format=%s', 'main..lanes/export-feature']).split('\n')).toEqual([
      'export-feature: web lane',
      'export-feature: api lane',
    ]);
    expect(ws.git(['show', 'lanes/export-feature:apps/api/src/export.js'])).toContain("'text/csv'");
    const report = ws.read('dist/agent-lanes/export-feature/integration/report.md');
    expect(report).toContain('URL.revokeObjectURL(url)'); // the risky web diff, in full
    expect(report).not.toContain("exports.exportHeaders = () => ({ 'Content-Type': 'text/csv' })"); // api: trust the suite
    expect(existsSync(join(ws.root, 'dist/agent-lanes/export-feature/integration/report.html'))).toBe(true);
    // The next run has nothing to do for the agents.
    const again = runs().length;
    expect(integrate().status).toBe(0);
    expect(runs().length).toBe(again);
  });

  it("leaves lanes/<feature> at the same commit on a no-op rerun, its commits the workspace's git identity's with lane trailers", () => {
    const tip = ws.git(['rev-parse', 'lanes/export-feature']);
    const identity = `${ws.git(['config', 'user.name'])} <${ws.git(['config', 'user.email'])}>`;
    expect(ws.git(['log', '--format=%an <%ae>|%cn <%ce>', 'main..lanes/export-feature']).split('\n')).toEqual([
      `${identity}|${identity}`,
      `${identity}|${identity}`,
    ]);
    expect(ws.git(['log', '--format=%(trailers:only,unfold)%x00', 'main..lanes/export-feature']).split('\0').map((t) => t.trim()).filter(Boolean)).toEqual([
      'Lane: web\nAgent-Provider: command',
      'Lane: api\nAgent-Provider: command',
    ]);
    const before = runs().length;
    const r = integrate();
    expect(r.status).toBe(0);
    expect(runs().length).toBe(before);
    expect(r.stdout).toContain(`branch lanes/export-feature stays at ${tip.slice(0, 10)}: same base, same lane changes`);
    expect(ws.git(['rev-parse', 'lanes/export-feature'])).toBe(tip);
  });

  it('cleans worktrees and lane branches left by a killed run, and says what it removed', () => {
    // What a kill -9 leaves: a locked worktree whose owner (pid and start time) is gone, and its branch.
    const wt = join(scratch, 'stale-worktree');
    const reason = 'nx-agent-lanes kind=lane pid=999999 start=4242 feature=export-feature lane=api';
    ws.git(['worktree', 'add', '-q', '--lock', '--reason', reason, '-b', 'agent-lanes/export-feature/api/999999-x', wt, 'HEAD']);
    mkdirSync(join(wt, 'apps/api/src'), { recursive: true });
    writeFileSync(join(wt, 'apps/api/src/export.js'), 'half-written by the killed agent\n');
    const r = ws.nx(['run', 'export-feature:clean-lanes']);
    expect(r.stdout).toContain(`pruned a stale worktree or branch left by an interrupted run: ${wt}`);
    expect(r.stdout).toContain('pruned a stale worktree or branch left by an interrupted run: agent-lanes/export-feature/api/999999-x');
    // The killed agent's work is saved before its worktree goes.
    expect(r.stdout).toContain('saved the work of a killed export-feature/api agent (pid 999999)');
    expect(ws.read('dist/agent-lanes/export-feature/api/rescued/stale-worktree.patch')).toContain('+half-written by the killed agent');
    expect(ws.git(['worktree', 'list']).split('\n')).toHaveLength(1);
    expect(ws.git(['branch', '--list', 'agent-lanes/*'])).toBe('');
  });
});
