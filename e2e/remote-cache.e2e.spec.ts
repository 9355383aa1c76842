import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedLaneTasks } from './utils/lane-tasks';
import { startRemoteCacheServer, type RemoteCacheServer } from './utils/remote-cache-server';
import { addProject, createScratchWorkspace, nxEnv, readAgentRuns, type ScratchWorkspace } from './utils/scratch-workspace';

/**
 * Distribution: lane, verify and integrate tasks need nothing from another machine but
 * the declared outputs of the tasks they depend on. Two clones of one workspace share a
 * loopback server speaking Nx's self-hosted remote cache API; the agent runs only where the
 * cache has nothing, and both clones build the same lanes/<feature> tree.
 */
describe('two clones sharing a self-hosted remote cache', () => {
  let a: ScratchWorkspace;
  let bRoot: string;
  let scratch: string;
  let cache: RemoteCacheServer;
  const FEATURE = 'features/export-feature';
  const owned: Record<string, string> = {
    // .ts: the scripted agent looks for this path to show `after` worked; Node requires it as CommonJS.
    api: 'apps/api/src/export.ts',
    logic: 'libs/export/src/csv.js',
    web: 'apps/web/src/export-button.js',
  };
  const script = Object.fromEntries(
    Object.entries(owned).map(([lane, file]) => [lane, { files: { [file]: `// the ${lane} lane ({{upstream}})\nexports.lane = '${lane}';\n` } }]),
  );
  // Only A has a key, as only the machines running agents would: B's cache hits show it is no task input.
  const API_KEY = 'fake-e2e-key-must-never-reach-the-cache';
  const logOf = (clone: 'a' | 'b') => join(scratch, `agent-runs-${clone}.jsonl`);
  const agentRuns = (clone: 'a' | 'b'): string[] => readAgentRuns(logOf(clone)).map((r) => r.lane);

  /**
   * Runs nx in a clone, with the remote cache and the scripted agent's log of that clone.
   * Asynchronously: the cache server lives in this process, and a sync spawn would block it.
   */
  const nxIn = async (clone: 'a' | 'b', args: string[]): Promise<string> => {
    const root = clone === 'a' ? a.root : bRoot;
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(root, 'node_modules', '.bin', 'nx'), ...args], {
        cwd: root,
        encoding: 'utf8',
        env: nxEnv({ ...cache.env(), AGENT_LOG: logOf(clone), AGENT_SCRIPT: JSON.stringify(script), AGENT_SLEEP_MS: '100', CI: 'true', ANTHROPIC_API_KEY: clone === 'a' ? API_KEY : undefined }),
        maxBuffer: 64 * 1024 * 1024,
      });
      return stdout + stderr;
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      throw new Error(`nx ${args.join(' ')} in clone ${clone} exited ${e.code}:\n${e.stdout}\n${e.stderr}`);
    }
  };
  const gitIn = (root: string, args: string[]) =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const lanesTree = (root: string) => gitIn(root, ['rev-parse', 'lanes/export-feature^{tree}']);
  /** The feature's lane and verify targets whose tasks Nx restored from the remote cache. */
  const remoteHits = (output: string) => cachedLaneTasks(output, 'export-feature', 'remote');

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-e2e-remote-'));
    cache = await startRemoteCacheServer({ token: 'e2e-cache-token' });
    a = createScratchWorkspace('remote-a');
    addProject(a, 'apps/api');
    addProject(a, 'apps/web');
    addProject(a, 'libs/export');
    a.write('tools/scripted-agent.js', readFileSync(join(__dirname, 'fixtures', 'scripted-agent.js'), 'utf8'));
    // Crosses every lane's seam: runs on the merged tree only.
    a.write(
      'e2e/export.e2e.js',
      "for (const f of ['apps/api/src/export.ts', 'libs/export/src/csv.js', 'apps/web/src/export-button.js']) require('../' + f);\nconsole.log('seams ok');\n",
    );
    a.write('nx.json', JSON.stringify({ plugins: [{ plugin: 'nx-agent-lanes' }] }, null, 2));
    a.write(`${FEATURE}/contract.md`, '# Contract\n\nEach module exports `lane`.\n');
    const lanes: Record<string, unknown> = {};
    for (const [lane, file] of Object.entries(owned)) {
      a.write(`${FEATURE}/lanes/${lane}.md`, `# ${lane}\n\nWrite ${file}.\n`);
      lanes[lane] = { spec: `lanes/${lane}.md`, owns: [file], test: `node ${file}`, ...(lane === 'web' ? { after: ['api'] } : {}) };
    }
    a.write(
      `${FEATURE}/feature.jsonc`,
      JSON.stringify(
        {
          goal: 'Customers download orders as CSV',
          contract: 'contract.md',
          // Unsandboxed: the scripted agent logs its runs outside the workspace, which a sandboxed lane cannot write.
          sandbox: 'off',
          agent: { provider: 'command', command: 'node tools/scripted-agent.js' },
          lanes,
          integration: { test: 'node e2e/export.e2e.js' },
          review: { risky: [] },
        },
        null,
        2,
      ),
    );
    a.commitAll('plan export-feature');

    // Clone B: node_modules is not in git, so B borrows A's through a symlink rather than a
    // second npm install (same packages either way; the local Nx cache and .nx stay B's own).
    bRoot = join(scratch, 'clone-b');
    execFileSync('git', ['clone', '-q', a.root, bRoot]);
    symlinkSync(join(a.root, 'node_modules'), join(bRoot, 'node_modules'), 'dir');
    for (const [k, v] of [['user.name', 'E2E B'], ['user.email', 'b@example.com'], ['commit.gpgsign', 'false']]) gitIn(bRoot, ['config', k, v]);
  });

  afterAll(async () => {
    await cache?.close();
    a?.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('speaks the protocol Nx uses: bearer token, GET 200/404, PUT 200 then 409', async () => {
    const url = `${cache.url}/v1/cache/protocol-check`;
    const auth = { authorization: `Bearer ${cache.token}`, 'content-type': 'application/octet-stream' };
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(url, { method: 'PUT', body: 'x' })).status).toBe(401);
    expect((await fetch(url, { headers: auth })).status).toBe(404);
    expect((await fetch(url, { method: 'PUT', headers: auth, body: Buffer.from([1, 2, 3]) })).status).toBe(200);
    expect((await fetch(url, { method: 'PUT', headers: auth, body: Buffer.from([4]) })).status).toBe(409);
    const got = await fetch(url, { headers: auth });
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/octet-stream');
    expect([...new Uint8Array(await got.arrayBuffer())]).toEqual([1, 2, 3]);
  });

  it('A runs only the lanes; B, with an empty local cache, integrates with no agent run', async () => {
    const puts = cache.stats().puts;
    await nxIn('a', ['run-many', '--targets=lane--api,lane--logic,lane--web', '--projects=export-feature', '--parallel=3']);
    expect(agentRuns('a').sort()).toEqual(['api', 'logic', 'web']);
    expect(cache.stats().puts - puts).toBe(3); // one tarball per lane task

    expect(existsSync(join(bRoot, '.nx'))).toBe(false); // a fresh clone: no local cache at all
    const out = await nxIn('b', ['run', 'export-feature:integrate', '--parallel=3']);
    expect(agentRuns('b')).toEqual([]);
    expect(remoteHits(out)).toEqual(['lane--api', 'lane--logic', 'lane--web']);
    // Verify ran in B, on the lane.patch files the cache carried over.
    for (const lane of Object.keys(owned)) {
      expect(JSON.parse(readFileSync(join(bRoot, `dist/agent-lanes/export-feature/${lane}/verify.json`), 'utf8')).passed).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(bRoot, 'dist/agent-lanes/export-feature/integration/result.json'), 'utf8')).outcome).toBe('green');
    expect(gitIn(bRoot, ['show', 'lanes/export-feature:apps/web/src/export-button.js'])).toContain('(api-present)');

    // A integrates too: its lanes from its local cache, its verify tasks from B's uploads.
    const outA = await nxIn('a', ['run', 'export-feature:integrate', '--parallel=3']);
    expect(agentRuns('a')).toHaveLength(3);
    expect(remoteHits(outA)).toEqual(['verify--api', 'verify--logic', 'verify--web']);
    expect(lanesTree(bRoot)).toBe(lanesTree(a.root));
    // What Nx sent: GETs and PUTs only (no HEAD probe), each with the bearer token.
    expect([...new Set(cache.requests().map((r) => r.method))].sort()).toEqual(['GET', 'PUT']);
    expect(cache.stats().unauthorized).toBe(2); // the protocol test's two, none from Nx
  });

  it('B runs everything after A ran everything, and no agent runs in B', async () => {
    a.write(`${FEATURE}/contract.md`, '# Contract\n\nEach module exports `lane`, a string.\n');
    a.commitAll('contract: lane is a string');
    await nxIn('a', ['run', 'export-feature:integrate', '--parallel=3']);
    expect(agentRuns('a')).toHaveLength(6); // the contract reran every lane in A

    gitIn(bRoot, ['pull', '-q', '--ff-only', 'origin', 'main']);
    const out = await nxIn('b', ['run', 'export-feature:integrate', '--parallel=3']);
    expect(agentRuns('b')).toEqual([]);
    expect(remoteHits(out)).toEqual(['lane--api', 'lane--logic', 'lane--web', 'verify--api', 'verify--logic', 'verify--web']);
    expect(lanesTree(bRoot)).toBe(lanesTree(a.root));
    // B's branch is built on B's own checkout of the new commit: one commit per lane on top of it.
    expect(gitIn(bRoot, ['rev-list', '--count', 'HEAD..lanes/export-feature'])).toBe('3');
  });

  it('never puts the API key into a cache entry', () => {
    const stored = cache.hashes().filter((h) => h !== 'protocol-check');
    expect(stored.length).toBe(12); // 3 lanes + 3 verifies, twice
    for (const hash of stored) expect(gunzipSync(cache.entry(hash)!).toString('latin1')).not.toContain(API_KEY);
  });
});
