import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLaneRepo, disposeLaneRepo, scriptedProvider, testFeature, testLane } from '../__fixtures__/lane-fixture';
import type { TestRepo } from '../git/create-test-repo';
import { stageFromSnapshot } from '../git/lane-patch';
import { createLaneWorktree, removeLaneWorktree } from '../git/lane-worktree';
import { captureSecretFreePatch } from './capture-secret-free-patch';
import { runLane } from './run-lane';

const TOKEN = 'tok-marker-5f3a9c1e';
const KEY = 'fake-key-marker-77aa0011';
const secrets = [
  { name: 'EXPORT_TOKEN', value: TOKEN },
  { name: 'ANTHROPIC_API_KEY', value: KEY },
];

/** Every object in the repository's store, loose or packed, as one text to search. */
function allObjects(repo: TestRepo): string {
  return execFileSync('git', ['cat-file', '--batch-all-objects', '--batch'], { cwd: repo.root, encoding: 'latin1', maxBuffer: 64 * 1024 * 1024 });
}

describe('captureSecretFreePatch', () => {
  const feature = testFeature([testLane('logic', ['libs/export/**'])], { secrets: ['EXPORT_TOKEN'] });
  let repo: TestRepo;
  beforeEach(() => {
    repo = createLaneRepo(feature, { 'libs/export/old.ts': `// context\nconst key = '${KEY}';\nexport const a = 1;\n` });
  });
  afterEach(() => disposeLaneRepo(repo));

  it('leaves out files holding a secret, keeps the rest, and stores no blob with the value', async () => {
    const wt = await createLaneWorktree({ repoRoot: repo.root, feature: 'f', lane: 'logic', baseCommit: 'HEAD' });
    try {
      repo.write('libs/export/csv.ts', 'export const csv = 1;\n', wt.path);
      repo.write('libs/export/config.ts', `export const token = '${TOKEN}';\n`, wt.path);
      repo.write('libs/export/blob.bin', Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(TOKEN), Buffer.from([255])]), wt.path);
      const captured = await captureSecretFreePatch({ worktree: wt.path, baseCommit: wt.startCommit, secrets });
      expect(captured.withheld).toEqual([
        { path: 'libs/export/blob.bin', secrets: ['EXPORT_TOKEN'] },
        { path: 'libs/export/config.ts', secrets: ['EXPORT_TOKEN'] },
      ]);
      expect(captured.files.map((f) => f.path)).toEqual(['libs/export/csv.ts']);
      expect(captured.patch).toContain('+export const csv = 1;');
      expect(captured.patch).not.toContain(TOKEN);
      expect(allObjects(repo)).not.toContain(TOKEN);
    } finally {
      await removeLaneWorktree(wt);
    }
  });

  it('leaves out a file whose patch shows a secret only in its context lines', async () => {
    const wt = await createLaneWorktree({ repoRoot: repo.root, feature: 'f', lane: 'logic', baseCommit: 'HEAD' });
    try {
      repo.write('libs/export/old.ts', `// context\nconst key = '${KEY}';\nexport const a = 2;\n`, wt.path);
      repo.write('libs/export/new.ts', 'export const b = 1;\n', wt.path);
      const captured = await captureSecretFreePatch({ worktree: wt.path, baseCommit: wt.startCommit, secrets });
      expect(captured.withheld).toEqual([{ path: 'libs/export/old.ts', secrets: ['ANTHROPIC_API_KEY'] }]);
      expect(captured.patch).not.toContain(KEY);
      expect(captured.files.map((f) => f.path)).toEqual(['libs/export/new.ts']);
    } finally {
      await removeLaneWorktree(wt);
    }
  });

  it('captures everything when there are no secrets', async () => {
    const wt = await createLaneWorktree({ repoRoot: repo.root, feature: 'f', lane: 'logic', baseCommit: 'HEAD' });
    try {
      repo.write('libs/export/config.ts', `export const token = '${TOKEN}';\n`, wt.path);
      const captured = await captureSecretFreePatch({ worktree: wt.path, baseCommit: wt.startCommit, secrets: [] });
      expect(captured.withheld).toEqual([]);
      expect(captured.files.map((f) => f.path)).toEqual(['libs/export/config.ts']);
    } finally {
      await removeLaneWorktree(wt);
    }
  });

  it('fails the lane, naming the file and the secret but never the value, and keeps its other work', async () => {
    const provider = scriptedProvider({
      logic: { edits: { 'libs/export/csv.ts': 'export const csv = 1;\n', 'libs/export/config.ts': `export const token = '${TOKEN}';\n` } },
    });
    const env = { ...process.env, EXPORT_TOKEN: TOKEN };
    const lines: string[] = [];
    const result = await runLane({
      workspaceRoot: repo.root, feature, lane: feature.lanes[0], env, providers: { command: provider, anthropic: provider }, log: (l) => lines.push(l),
    });
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/^the agent wrote a secret value into libs\/export\/config\.ts \(EXPORT_TOKEN\); left out of lane\.patch/);
    expect(result.filesChanged.map((f) => f.path)).toEqual(['libs/export/csv.ts']);
    const dir = join(repo.root, 'dist/agent-lanes/f/logic');
    const written = ['result.json', 'lane.patch', 'transcript.jsonl'].map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    expect(written).toContain('+export const csv = 1;');
    expect(written + lines.join('\n')).not.toContain(TOKEN);
    expect(allObjects(repo)).not.toContain(TOKEN);
  });

  it('fails a lane whose agent put the key in a file and in a symlink target, and no object in the store holds it', async () => {
    // Not the KEY of the base commit: this one must never reach the store at all.
    const key = 'fake-key-marker-link-9f8e7d6c5b4a';
    const provider = scriptedProvider({
      logic: {
        inspect: (wt) => {
          mkdirSync(join(wt, 'libs/export'), { recursive: true });
          symlinkSync(`../${key}/x`, join(wt, 'libs/export/link'));
          symlinkSync('csv.ts', join(wt, 'libs/export/plain-link'));
        },
        edits: { 'libs/export/csv.ts': 'export const csv = 1;\n', 'libs/export/key.ts': `export const key = '${key}';\n` },
      },
    });
    const lines: string[] = [];
    const result = await runLane({
      workspaceRoot: repo.root, feature, lane: feature.lanes[0], env: { ...process.env, ANTHROPIC_API_KEY: key },
      providers: { command: provider, anthropic: provider }, log: (l) => lines.push(l),
    });
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(
      /^the agent wrote a secret value into libs\/export\/key\.ts \(ANTHROPIC_API_KEY\), libs\/export\/link \(ANTHROPIC_API_KEY\); left out of lane\.patch and of the repository's object store/,
    );
    expect(result.filesChanged.map((f) => f.path)).toEqual(['libs/export/csv.ts', 'libs/export/plain-link']);
    expect(allObjects(repo)).not.toContain(key);
    expect(lines.join('\n')).not.toContain(key);
  });

  it('leaves out a file whose name holds a secret, keeping the value out of the store and the patch', async () => {
    const wt = await createLaneWorktree({ repoRoot: repo.root, feature: 'f', lane: 'logic', baseCommit: 'HEAD' });
    try {
      repo.write(`libs/export/${TOKEN}.txt`, 'harmless\n', wt.path);
      repo.write('libs/export/ok.ts', 'export const ok = 1;\n', wt.path);
      const captured = await captureSecretFreePatch({ worktree: wt.path, baseCommit: wt.startCommit, secrets });
      expect(captured.withheld).toEqual([{ path: `libs/export/${TOKEN}.txt`, secrets: ['EXPORT_TOKEN'] }]);
      expect(captured.patch).not.toContain(TOKEN);
      expect(allObjects(repo)).not.toContain(TOKEN);
    } finally {
      await removeLaneWorktree(wt);
    }
  });

  it('stages what was checked, from the snapshot, not what the worktree holds by then', async () => {
    const wt = await createLaneWorktree({ repoRoot: repo.root, feature: 'f', lane: 'logic', baseCommit: 'HEAD' });
    const snapshot = mkdtempSync(join(tmpdir(), 'snapshot-spec-'));
    try {
      // As if something still running rewrote the file after it was scanned.
      repo.write('libs/export/csv.ts', `export const late = '${TOKEN}';\n`, wt.path);
      mkdirSync(join(snapshot, 'libs/export'), { recursive: true });
      writeFileSync(join(snapshot, 'libs/export/csv.ts'), 'export const checked = 1;\n');
      await stageFromSnapshot({ worktree: wt.path, snapshot, paths: ['libs/export/csv.ts', 'libs/export/old.ts'] });
      expect(repo.git(['diff', '--cached', '--name-status'], wt.path)).toBe('A\tlibs/export/csv.ts\nD\tlibs/export/old.ts\n');
      expect(repo.git(['show', ':libs/export/csv.ts'], wt.path)).toBe('export const checked = 1;\n');
      expect(allObjects(repo)).not.toContain(TOKEN);
    } finally {
      rmSync(snapshot, { recursive: true, force: true });
      await removeLaneWorktree(wt);
    }
  });

  it('returns the lane result redacted, as result.json holds it, so the terminal never shows a secret', async () => {
    // A secret with characters JSON escapes: searching serialised text for it would miss it.
    const odd = 'tok"with\\quote-1234';
    writeFileSync(join(repo.root, 'unused.txt'), '');
    const provider = scriptedProvider({ logic: { result: { summary: `finished using ${odd}` } } });
    const result = await runLane({
      workspaceRoot: repo.root, feature, lane: feature.lanes[0], env: { ...process.env, EXPORT_TOKEN: odd }, providers: { command: provider, anthropic: provider },
    });
    expect(result.summary).toBe('finished using [redacted EXPORT_TOKEN]');
    const json = readFileSync(join(repo.root, 'dist/agent-lanes/f/logic/result.json'), 'utf8');
    expect(JSON.parse(json).summary).toBe('finished using [redacted EXPORT_TOKEN]');
  });
});
