import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addProject, createScratchWorkspace, type ScratchWorkspace } from './utils/scratch-workspace';

/**
 * limits.patchFileWarnBytes and limits.patchFileMaxBytes through a real Nx: the warning in the
 * task's output with the lane done, the refusal failing the task and naming the file, its size
 * and the key, with the file still in the kept worktree. (capture-patch-file-sizes.spec.ts covers
 * the same without Nx.)
 */
describe('file sizes in a lane patch, under Nx', () => {
  let ws: ScratchWorkspace;
  let worktreesRoot: string;
  const env = () => ({ NX_AGENT_LANES_WORKTREES: worktreesRoot, CI: 'true' });

  beforeAll(() => {
    worktreesRoot = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-e2e-patch-size-'));
    ws = createScratchWorkspace('patch-size');
    addProject(ws, 'apps/api');
    addProject(ws, 'apps/web');
    // A stand-in agent: its lane's code, and one incompressible binary file of FIXTURE_<LANE> bytes.
    ws.write(
      'tools/size-agent.js',
      [
        "const fs = require('node:fs');",
        "const { randomBytes } = require('node:crypto');",
        'const lane = process.env.LANE_NAME;',
        "fs.readFileSync(0, 'utf8');",
        'fs.mkdirSync(`apps/${lane}/src`, { recursive: true });',
        'fs.writeFileSync(`apps/${lane}/src/done.js`, `// the ${lane} lane\\n`);',
        'fs.writeFileSync(`apps/${lane}/src/fixture.bin`, randomBytes(Number(process.env[`FIXTURE_${lane.toUpperCase()}`])));',
        '',
      ].join('\n'),
    );
    ws.write('nx.json', JSON.stringify({ plugins: ['nx-agent-lanes'] }, null, 2));
    ws.write(
      'features/fx/feature.jsonc',
      JSON.stringify(
        {
          goal: 'Fixtures of several sizes',
          contract: 'contract.md',
          sandbox: 'off',
          agent: { provider: 'command', command: 'node tools/size-agent.js' },
          limits: { patchFileWarnBytes: 4096, patchFileMaxBytes: 16384 },
          lanes: {
            api: { spec: 'lanes/api.md', owns: ['apps/api/src/**'], test: 'node apps/api/src/done.js' },
            web: { spec: 'lanes/web.md', owns: ['apps/web/src/**'], test: 'node apps/web/src/done.js' },
          },
        },
        null,
        2,
      ),
    );
    ws.write('features/fx/contract.md', '# contract\n');
    ws.write('features/fx/lanes/api.md', '# api\n');
    ws.write('features/fx/lanes/web.md', '# web\n');
    ws.commitAll('plan fx');
  });

  afterAll(() => {
    ws?.dispose();
    rmSync(worktreesRoot, { recursive: true, force: true });
  });

  const sizes = { FIXTURE_API: String(8 * 1024), FIXTURE_WEB: String(64 * 1024) };

  it('warns in the task output and result.json past the first limit, and the lane is done', () => {
    const r = ws.nx(['run', 'fx:lane--api'], { env: { ...env(), ...sizes } });
    const output = `${r.stdout}\n${r.stderr}`;
    expect(output).toContain('warning: lane.patch carries a file larger than limits.patchFileWarnBytes (4 KiB): apps/api/src/fixture.bin (8 KiB).');
    const result = JSON.parse(ws.read('dist/agent-lanes/fx/api/result.json')) as { status: string; patchWarnings?: unknown };
    expect(result.status).toBe('done');
    expect(result.patchWarnings).toEqual([{ path: 'apps/api/src/fixture.bin', bytes: 8 * 1024 }]);
    expect(ws.read('dist/agent-lanes/fx/api/lane.patch')).toContain('diff --git a/apps/api/src/fixture.bin b/apps/api/src/fixture.bin');
  });

  it('fails the task past the second, naming file, size and key, and keeps the file in the worktree it names', () => {
    const r = ws.nx(['run', 'fx:lane--web'], { env: { ...env(), ...sizes }, allowFailure: true });
    const output = `${r.stdout}\n${r.stderr}`;
    expect(r.status).not.toBe(0);
    expect(output).toContain('lane.patch leaves out apps/web/src/fixture.bin (64 KiB), larger than limits.patchFileMaxBytes (16 KiB = 16384): it was not diffed');
    expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    const result = JSON.parse(ws.read('dist/agent-lanes/fx/web/result.json')) as { status: string; reason: string; patchRefusals?: unknown };
    expect(result).toMatchObject({ status: 'failed', patchRefusals: [{ path: 'apps/web/src/fixture.bin', bytes: 64 * 1024 }] });
    const patch = ws.read('dist/agent-lanes/fx/web/lane.patch');
    expect(patch).toContain('+// the web lane');
    expect(patch).not.toContain('fixture.bin');
    const worktree = /still in the kept worktree (\S+) /.exec(result.reason)?.[1] ?? '';
    expect(existsSync(worktree)).toBe(true);
    expect(readFileSync(join(worktree, 'apps/web/src/fixture.bin')).length).toBe(64 * 1024);
  });
});
