import { PlanError } from '../errors';
import { DEFAULT_MODEL, DEFAULT_PRICES } from './default-agent';
import { type FileStatus, readFeature, readFeatureOrThrow } from './read-feature';

const FILE = 'features/export/feature.jsonc';

/** A fileStatus probe over a literal table; anything not listed is missing. */
function probeOf(table: Record<string, FileStatus>): (path: string) => FileStatus {
  return (path) => table[path] ?? 'missing';
}

const FILES = probeOf({
  'features/export/contract.md': 'file',
  'features/export/lanes/backend.md': 'file',
  'features/export/lanes/frontend.md': 'file',
});

const FULL = `{
  // Comments and trailing commas are allowed.
  "$schema": "../../node_modules/nx-agent-lanes/feature.schema.json",
  "goal": "Customers download orders as CSV",
  "contract": "contract.md",
  "agent": { "model": "claude-opus-4-6", "budgetUsd": 5, "prices": { "my-model": { "input": 2, "output": 8 } } },
  "setup": "npm ci",
  "lanes": {
    "frontend": {
      "spec": "lanes/frontend.md",
      "owns": ["./apps/web/src/export/", "apps/web/src/export.spec.ts"],
      "test": "npx jest web",
      "after": ["backend"],
      "agent": { "provider": "command", "command": "claude -p", "maxTurns": 10 },
    },
    "backend": {
      "spec": "./lanes/../lanes/backend.md",
      "owns": ["apps/api/**"],
      "forbids": ["apps/web/**"],
      "test": "npx jest api",
      "risky": true,
    },
  },
  "integration": { "test": "npx jest e2e" },
  "review": { "risky": ["./apps/web/**"] },
  "secrets": ["ANTHROPIC_API_KEY"],
}`;

describe('readFeature: normalisation', () => {
  it('reads a full plan, resolves paths against the feature folder and orders lanes by `after`', () => {
    const { feature, problems } = readFeature({ file: FILE, text: FULL, fileStatus: FILES });
    expect(problems).toEqual([]);
    expect(feature).toMatchObject({
      name: 'export',
      root: 'features/export',
      file: FILE,
      goal: 'Customers download orders as CSV',
      contractPath: 'features/export/contract.md',
      setup: 'npm ci',
      integration: { test: 'npx jest e2e' },
      review: { risky: ['apps/web/**'] },
      secrets: ['ANTHROPIC_API_KEY'],
    });
    expect(feature?.base).toBeUndefined();
    expect(feature?.lanes.map((l) => l.name)).toEqual(['backend', 'frontend']);
    const [backend, frontend] = feature!.lanes;
    expect(backend).toMatchObject({
      specPath: 'features/export/lanes/backend.md',
      owns: ['apps/api/**'],
      forbids: ['apps/web/**'],
      test: 'npx jest api',
      after: [],
      risky: true,
    });
    expect(frontend).toMatchObject({
      specPath: 'features/export/lanes/frontend.md',
      owns: ['apps/web/src/export', 'apps/web/src/export.spec.ts'],
      forbids: [],
      after: ['backend'],
      risky: false,
    });
  });

  it('merges lane agent overrides field by field over the feature agent and the defaults', () => {
    const feature = readFeatureOrThrow({ file: FILE, text: FULL, fileStatus: FILES });
    const [backend, frontend] = feature.lanes;
    expect(feature.agent).toEqual({
      provider: 'anthropic',
      model: 'claude-opus-4-6',
      maxTurns: 40,
      budgetUsd: 5,
      timeoutMinutes: 30,
      maxTokens: 8192,
      claudeMd: false,
      prices: { ...DEFAULT_PRICES, 'my-model': { input: 2, output: 8 } },
    });
    expect(backend.agent).toEqual(feature.agent);
    expect(frontend.agent).toEqual({ ...feature.agent, provider: 'command', command: 'claude -p', maxTurns: 10 });
  });

  it('accepts a freshly scaffolded feature with no lanes, named by its `name` field', () => {
    const text = '{ "name": "csv-export", "goal": "g", "contract": "contract.md", "lanes": {} }';
    const feature = readFeatureOrThrow({ file: FILE, text, fileStatus: FILES });
    expect(feature).toEqual({
      name: 'csv-export',
      root: 'features/export',
      file: FILE,
      goal: 'g',
      contractPath: 'features/export/contract.md',
      agent: {
        provider: 'anthropic',
        model: DEFAULT_MODEL,
        maxTurns: 40,
        budgetUsd: 2,
        timeoutMinutes: 30,
        maxTokens: 8192,
        claudeMd: false,
        prices: DEFAULT_PRICES,
      },
      lanes: [],
      integration: {},
      review: { risky: [] },
      secrets: [],
      sandbox: { mode: 'auto', allowHosts: [] },
      limits: { outputBytes: 8 * 1024 * 1024, transcriptBytes: 32 * 1024 * 1024, patchFileWarnBytes: 1024 * 1024, patchFileMaxBytes: 10 * 1024 * 1024 },
    });
  });

  it('keeps `base` and reads a contract outside the feature folder but inside the workspace', () => {
    const text = '{ "goal": "g", "contract": "../shared/api.md", "base": "main", "lanes": {} }';
    const feature = readFeatureOrThrow({ file: FILE, text, fileStatus: probeOf({ 'features/shared/api.md': 'file' }) });
    expect(feature.contractPath).toBe('features/shared/api.md');
    expect(feature.base).toBe('main');
  });

  it('readFeatureOrThrow throws a PlanError carrying every problem', () => {
    const text = '{ "contract": "nope.md", "lanes": {} }';
    let error: unknown;
    try {
      readFeatureOrThrow({ file: FILE, text, fileStatus: FILES });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlanError);
    const problems = (error as PlanError).problems;
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringContaining('Missing `goal`'),
      expect.stringContaining('`features/export/nope.md` does not exist'),
    ]);
    expect((error as PlanError).message).toContain(`${FILE}:1:1: Missing \`goal\``);
  });

  it('treats a probe that throws as an unreadable file instead of throwing', () => {
    const text = '{ "goal": "g", "contract": "contract.md", "lanes": {} }';
    const { problems } = readFeature({
      file: FILE,
      text,
      fileStatus: () => {
        throw new Error('EACCES');
      },
    });
    expect(problems).toEqual([
      {
        file: FILE,
        line: 1,
        column: 28,
        message: 'The contract file `features/export/contract.md` exists but cannot be read; check its permissions.',
      },
    ]);
  });
});
