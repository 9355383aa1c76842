import { execFileSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintCheckout } from './utils/checkout-fingerprint';
import { addProject, createScratchWorkspace, nxEnv, type ScratchWorkspace } from './utils/scratch-workspace';

/**
 * Bad input through a real Nx: each case ends with a message that says what is wrong,
 * where, and what to do; no stack trace; and the checkout exactly as it was. (Unit tests next to
 * the code cover the same messages without Nx: git/tree-blobs.spec.ts, verify/describe-check-failure.spec.ts.)
 */
describe('bad input under Nx', () => {
  let ws: ScratchWorkspace;
  let scratch: string;
  let markers: string;
  let worktreesRoot: string;
  const env = () => ({ MARKER_DIR: markers, NX_AGENT_LANES_WORKTREES: worktreesRoot, CI: 'true' });
  const planFile = 'features/fx/feature.jsonc';
  let plan: string;

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-e2e-bad-input-'));
    markers = join(scratch, 'markers');
    worktreesRoot = join(scratch, 'worktrees');
    mkdirSync(markers);
    writeFileSync(join(markers, 'go'), ''); // the slow agent finishes at once
    ws = createScratchWorkspace('bad-input');
    addProject(ws, 'apps/api');
    addProject(ws, 'apps/web');
    ws.write('tools/slow-agent.js', readFileSync(join(__dirname, 'fixtures', 'slow-agent.js'), 'utf8'));
    ws.write('nx.json', JSON.stringify({ plugins: ['nx-agent-lanes'] }, null, 2));
    plan = JSON.stringify(
      {
        goal: 'Customers download orders as CSV',
        contract: 'contract.md',
        // Unsandboxed: the slow agent waits for and leaves markers outside the workspace, which a sandboxed lane cannot reach.
        sandbox: 'off',
        agent: { provider: 'command', command: 'node tools/slow-agent.js' },
        lanes: {
          api: { spec: 'lanes/api.md', owns: ['apps/api/src/**'], test: 'node apps/api/src/done.js' },
          web: { spec: 'lanes/web.md', owns: ['apps/web/src/**'], test: 'no-such-test-runner apps/web' },
        },
      },
      null,
      2,
    );
    ws.write(planFile, plan);
    ws.write('features/fx/contract.md', '# contract\n');
    ws.write('features/fx/lanes/api.md', '# api\n');
    ws.write('features/fx/lanes/web.md', '# web\n');
    ws.commitAll('plan fx');
  });

  afterAll(() => {
    ws?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Runs nx in `cwd` and checks the run changed nothing and printed no stack trace. */
  function runUnchanged(args: string[], cwd = ws.root): { status: number | null; output: string } {
    const before = fingerprintCheckout(cwd);
    const r: SpawnSyncReturns<string> = require('node:child_process').spawnSync(process.execPath, [join(cwd, 'node_modules', '.bin', 'nx'), ...args], {
      cwd,
      encoding: 'utf8',
      env: nxEnv(env()),
    });
    const output = `${r.stdout}\n${r.stderr}`;
    expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(fingerprintCheckout(cwd)).toBe(before);
    return { status: r.status, output };
  }

  /** Runs `fn` with the workspace's .git moved away, restoring it whatever happens. */
  function withoutGit<T>(fn: () => T): T {
    const away = join(scratch, 'dotgit');
    renameSync(join(ws.root, '.git'), away);
    try {
      return fn();
    } finally {
      rmSync(join(ws.root, '.git'), { recursive: true, force: true });
      renameSync(away, join(ws.root, '.git'));
    }
  }

  it('a workspace that is not a git repository', () => {
    const r = withoutGit(() => runUnchanged(['run', 'fx:lane--api']));
    expect(r.status).not.toBe(0);
    expect(r.output).toContain(`${ws.root} is not inside a git repository.`);
    expect(r.output).toContain('nx-agent-lanes runs each lane in a git worktree: run `git init` and commit your workspace');
  });

  it('a git repository with no commits', () => {
    const r = withoutGit(() => {
      execFileSync('git', ['init', '-q'], { cwd: ws.root });
      return runUnchanged(['run', 'fx:lane--api']);
    });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('has no commits yet, so the lanes have no base to start from. Commit your workspace first');
  });

  it('a shallow clone whose base was not fetched', () => {
    const first = ws.git(['rev-parse', 'HEAD']);
    ws.write('apps/api/src/index.ts', 'export const api = 2;\n');
    ws.commitAll('a second commit');
    const clone = join(scratch, 'shallow');
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${ws.root}`, clone]);
    symlinkSync(join(ws.root, 'node_modules'), join(clone, 'node_modules'), 'dir');
    writeFileSync(join(clone, planFile), plan.replace('"goal":', `"base": "${first}",\n  "goal":`));
    const r = runUnchanged(['run', 'fx:lane--api'], clone);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain(`The base "${first}" is not in this shallow clone`);
    expect(r.output).toContain('Run `git fetch --unshallow` (in CI, check out with fetch-depth: 0), or change "base" in feature.jsonc.');
  });

  it('a base that does not exist', () => {
    ws.write(planFile, plan.replace('"goal":', '"base": "release/9.9",\n  "goal":'));
    try {
      const r = runUnchanged(['run', 'fx:lane--api']);
      expect(r.status).not.toBe(0);
      expect(r.output).toContain(`The base "release/9.9" is not a commit in the repository at ${ws.root}. Fetch it (\`git fetch origin release/9.9\`) or change "base" in feature.jsonc.`);
    } finally {
      ws.write(planFile, plan);
    }
  });

  it('a spec that cannot be read (a folder where the file should be) is located in feature.jsonc', () => {
    const spec = join(ws.root, 'features/fx/lanes/api.md');
    renameSync(spec, join(scratch, 'api.md'));
    mkdirSync(spec);
    try {
      const r = runUnchanged(['run', 'fx:lane--api']);
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/features\/fx\/feature\.jsonc:\d+:\d+: The spec of lane `api` `features\/fx\/lanes\/api\.md` is a directory; point `lanes\.api\.spec` at a markdown file\./);
    } finally {
      rmSync(spec, { recursive: true });
      renameSync(join(scratch, 'api.md'), spec);
    }
  });

  it('a detached HEAD with uncommitted work: the lane runs from the commit and says what its agent does not see', () => {
    const head = ws.git(['rev-parse', 'HEAD']);
    ws.git(['checkout', '-q', '--detach']);
    ws.write('apps/api/src/index.ts', 'export const api = 3; // not committed\n');
    try {
      const r = runUnchanged(['run', 'fx:lane--api', '--skip-nx-cache']);
      expect(r.status).toBe(0);
      expect(r.output).toContain(
        `note: uncommitted changes to files this lane owns are not seen by its agent, which starts from commit ${head.slice(0, 10)}: apps/api/src/index.ts. Commit them first if they matter.`,
      );
      expect(JSON.parse(ws.read('dist/agent-lanes/fx/api/result.json'))).toMatchObject({ status: 'done', baseCommit: head });
    } finally {
      ws.git(['checkout', '-q', '--', 'apps/api/src/index.ts']);
      ws.git(['checkout', '-q', 'main']);
    }
  });

  it('a lane test command that does not exist: verify names exit 127, the shell line, and what to fix', () => {
    const r = runUnchanged(['run', 'fx:verify--web']);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(
      /\[verify web\] FAILED: tests `no-such-test-runner apps\/web` failed \(exit 127\): the shell could not find the command \(.*no-such-test-runner: .*not found\)\. Fix "test" in feature\.jsonc/,
    );
  });

  /** `file:line:column` of the first `needle` in `text`, as the plan problems print it. */
  function placeOf(file: string, text: string, needle: string): string {
    const before = text.slice(0, text.indexOf(needle));
    const lines = before.split('\n');
    return `${file}:${lines.length}:${lines[lines.length - 1].length + 1}`;
  }

  /** Runs `fn` with the plan edited by `edit`, restoring it whatever happens. */
  function withPlan<T>(edit: (text: string) => string, fn: (text: string) => T): T {
    const text = edit(plan);
    expect(text).not.toBe(plan);
    ws.write(planFile, text);
    try {
      return fn(text);
    } finally {
      ws.write(planFile, plan);
    }
  }

  describe('plan mistakes refused before any agent runs', () => {
    const agentRan = (lane: string) => existsSync(join(markers, `${lane}.json`)) || existsSync(join(ws.root, 'dist/agent-lanes/fx', lane, 'result.json'));
    beforeEach(() => {
      for (const lane of ['api', 'web']) {
        rmSync(join(markers, `${lane}.json`), { force: true });
        rmSync(join(ws.root, 'dist/agent-lanes/fx', lane), { recursive: true, force: true });
      }
    });

    it('an owned folder with a typo: did you mean the folder that exists, at nx show projects and nx run, and nothing paid', () => {
      withPlan(
        (text) => text.replace('"apps/api/src/**"', '"apps/api/scr/**"'),
        (text) => {
          const expected =
            `${placeOf(planFile, text, '"apps/api/scr/**"')}: Lane \`api\` owns \`apps/api/scr/**\`, but folder \`apps/api/scr\` does not exist, so nothing matches it. ` +
            'Did you mean `apps/api/src/**` (folder `apps/api/src` exists)? Fix the path; if the lane is to create `apps/api/scr`, create that folder first';
          const shown = runUnchanged(['show', 'projects']);
          expect(shown.status).not.toBe(0);
          expect(shown.output).toContain(expected);
          const ran = runUnchanged(['run', 'fx:lane--api']);
          expect(ran.status).not.toBe(0);
          expect(ran.output).toContain(expected);
          expect(agentRan('api')).toBe(false);
        },
      );
    });

    it('a literal path to a new file in an existing folder is accepted', () => {
      withPlan(
        (text) => text.replace('"apps/api/src/**"', '"apps/api/src/**", "apps/api/export.ts"'),
        () => {
          const r = runUnchanged(['show', 'projects']);
          expect(r.status).toBe(0);
          expect(r.output).toContain('fx');
        },
      );
    });

    it('an unclosed glob bracket', () => {
      withPlan(
        (text) => text.replace('"apps/api/src/**"', '"apps/api/src/[abc"'),
        (text) => {
          const r = runUnchanged(['run', 'fx:lane--api']);
          expect(r.status).not.toBe(0);
          expect(r.output).toContain(
            `${placeOf(planFile, text, '"apps/api/src/[abc"')}: \`apps/api/src/[abc\` is not a valid glob: missing closing: "]". Close it in \`lanes.api.owns\`, or name the folder that holds the file.`,
          );
          expect(agentRan('api')).toBe(false);
        },
      );
    });

    it('two features owning the same file: both features, the file and both places named', () => {
      const other = 'features/gx/feature.jsonc';
      const otherText = JSON.stringify(
        { goal: 'Another feature', contract: 'contract.md', sandbox: 'off', agent: { provider: 'command', command: 'node tools/slow-agent.js' }, lanes: { ui: { spec: 'lanes/ui.md', owns: ['apps/web/src/index.ts'], test: 'true' } } },
        null,
        2,
      );
      ws.write('features/gx/contract.md', '# contract\n');
      ws.write('features/gx/lanes/ui.md', '# ui\n');
      ws.write(other, otherText);
      try {
        const here = placeOf(planFile, plan, '"apps/web/src/**"');
        const there = placeOf(other, otherText, '"apps/web/src/index.ts"');
        const r = runUnchanged(['run', 'fx:lane--web']);
        expect(r.status).not.toBe(0);
        expect(r.output).toContain(
          `${here}: Features \`fx\` and \`gx\` both own \`apps/web/src/index.ts\`: lane \`web\` here (through \`apps/web/src/**\`), and lane \`ui\` of \`gx\` at ${there}. ` +
            'Their branches would conflict when both are merged: give the file to one feature only',
        );
        expect(r.output).toContain(`${there}: Features \`gx\` and \`fx\` both own \`apps/web/src/index.ts\`: lane \`ui\` here, and lane \`web\` of \`fx\` as \`apps/web/src/**\` at ${here}.`);
        expect(agentRan('web')).toBe(false);
      } finally {
        rmSync(join(ws.root, 'features/gx'), { recursive: true, force: true });
      }
    });

    it('answer for a lane that has not run or is not blocked is refused, and --force records it', () => {
      const none = runUnchanged(['g', 'nx-agent-lanes:answer', 'fx', '--lane', 'api', '--answer', 'UTC']);
      expect(none.status).not.toBe(0);
      expect(none.output).toContain(
        'Lane api of fx has no result yet (no dist/agent-lanes/fx/api/result.json), so it has asked nothing to answer. Run `nx run fx:integrate` and answer if it reports a blocker',
      );
      ws.write('dist/agent-lanes/fx/api/result.json', JSON.stringify({ feature: 'fx', lane: 'api', status: 'done' }));
      const done = runUnchanged(['g', 'nx-agent-lanes:answer', 'fx', '--lane', 'api', '--answer', 'UTC']);
      expect(done.status).not.toBe(0);
      expect(done.output).toContain(
        'Lane api of fx is not blocked: its last result (dist/agent-lanes/fx/api/result.json) is "done", and an answer would rerun it for nothing. ' +
          'To change its work, send review feedback (`nx g nx-agent-lanes:feedback fx --lane api --message "..."`), or add --force to record the answer anyway.',
      );
      try {
        ws.nx(['g', 'nx-agent-lanes:answer', 'fx', '--lane', 'api', '--question', 'Which zone?', '--answer', 'UTC', '--force'], { env: env() });
        expect(JSON.parse(ws.read('features/fx/notes/api.jsonc').replace(/^\/\/.*$/gm, ''))).toEqual({ answers: [{ question: 'Which zone?', answer: 'UTC' }] });
      } finally {
        rmSync(join(ws.root, 'features/fx/notes'), { recursive: true, force: true });
      }
    });

    it('feedback for a lane with no result is refused', () => {
      const r = runUnchanged(['g', 'nx-agent-lanes:feedback', 'fx', '--lane', 'web', '--message', 'Send Accept: text/csv']);
      expect(r.status).not.toBe(0);
      expect(r.output).toContain(
        'Lane web of fx has no result yet (no dist/agent-lanes/fx/web/result.json), so there is no work to give feedback on. ' +
          "Run `nx run fx:integrate` first, or add --force to record the feedback for the lane's next run anyway.",
      );
    });

    it('a lane-name typo in answer: did you mean', () => {
      const r = runUnchanged(['g', 'nx-agent-lanes:answer', 'fx', '--lane', 'apii', '--answer', 'UTC']);
      expect(r.status).not.toBe(0);
      expect(r.output).toContain('Feature fx has no lane "apii". Did you mean `api`? Its lanes: api, web (features/fx/feature.jsonc).');
    });
  });
});
