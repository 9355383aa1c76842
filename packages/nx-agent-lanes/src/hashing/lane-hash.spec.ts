import type { Feature, Lane } from '../feature/feature-types';
import { ownedBlobs, planLaneHash, planVerifyHash, stableStringify, type LaneHashInput } from './lane-hash';

const agent = { provider: 'anthropic' as const, model: 'claude-sonnet-4-6', maxTurns: 40, budgetUsd: 2, timeoutMinutes: 30, maxTokens: 8192, prices: {} };
const lane = (name: string, owns: string[], after: string[] = []): Lane => ({
  name, specPath: `features/f/lanes/${name}.md`, owns, forbids: [], test: `test ${name}`, after, agent, risky: false,
});
const feature = (lanes: Lane[]): Feature => ({
  name: 'f', root: 'features/f', file: 'features/f/feature.jsonc', goal: 'CSV export', contractPath: 'features/f/contract.md',
  agent, lanes, integration: {}, review: { risky: [] }, secrets: [],
});

function input(overrides: Partial<LaneHashInput> = {}): LaneHashInput {
  const api = lane('api', ['apps/api/**']);
  return {
    feature: feature([api, lane('web', ['apps/web/**'])]),
    lane: api,
    contract: 'contract v1',
    spec: 'spec v1',
    notes: { answers: [], feedback: [] },
    owned: [['apps/api/src/a.ts', 'blob1']],
    upstream: [],
    env: {},
    overrides: {},
    ...overrides,
  };
}

describe('planLaneHash', () => {
  const base = planLaneHash(input()).value;

  it('is stable for the same inputs, whatever the key order', () => {
    expect(planLaneHash(input()).value).toBe(base);
    expect(stableStringify({ b: 1, a: [{ d: 2, c: 3 }] })).toBe(stableStringify({ a: [{ c: 3, d: 2 }], b: 1 }));
  });

  it("ignores other lanes: editing or adding one leaves this lane's hash alone", () => {
    const i = input();
    const withDocs = { ...i, feature: feature([i.lane, lane('web', ['apps/web/src/**']), lane('docs', ['docs/**'])]) };
    expect(planLaneHash(withDocs).value).toBe(base);
  });

  it.each([
    ['the contract', { contract: 'contract v2' }],
    ['the spec', { spec: 'spec v2' }],
    ['an answer', { notes: { answers: [{ question: 'UTC?', answer: 'UTC' }], feedback: [] } }],
    ['feedback', { notes: { answers: [], feedback: [{ message: 'fix it' }] } }],
    ['an owned file', { owned: [['apps/api/src/a.ts', 'blob2']] as Array<[string, string]> }],
    ['an upstream lane', { upstream: ['lane--x=abc'] }],
    ['the model endpoint', { env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' } }],
    ["the lane's entry", { lane: { ...lane('api', ['apps/api/**']), test: 'other test' } }],
  ])('changes with %s', (_what, change) => {
    expect(planLaneHash(input(change as Partial<LaneHashInput>)).value).not.toBe(base);
  });
});

describe('ownedBlobs', () => {
  it('keeps the owned paths, sorted', () => {
    const blobs = new Map([['apps/web/x.ts', '1'], ['apps/api/b.ts', '2'], ['apps/api/a.ts', '3']]);
    expect(ownedBlobs({ owns: ['apps/api/**'] }, blobs)).toEqual([['apps/api/a.ts', '3'], ['apps/api/b.ts', '2']]);
  });

  it('takes every file under a literal owned folder, dot files too, and not a sibling sharing its prefix', () => {
    const blobs = new Map([['apps/apis/x.ts', '1'], ['apps/api/src/b.ts', '2'], ['apps/api/.env.example', '3'], ['docs/export.md', '4']]);
    expect(ownedBlobs({ owns: ['apps/api', 'docs/export.md'] }, blobs)).toEqual([
      ['apps/api/.env.example', '3'],
      ['apps/api/src/b.ts', '2'],
      ['docs/export.md', '4'],
    ]);
  });
});

describe('planVerifyHash', () => {
  const f = feature([lane('api', ['apps/api/**']), lane('web', ['apps/web/**'])]);
  const hash = (o: Partial<Parameters<typeof planVerifyHash>[0]> = {}) =>
    planVerifyHash({ feature: f, lane: f.lanes[0], laneTaskHashes: ['lane--api=1'], baseTree: 'tree1', overrides: {}, ...o }).value;

  it('changes with the patch, the base tree and ownership of any lane', () => {
    const base = hash();
    expect(hash({ laneTaskHashes: ['lane--api=2'] })).not.toBe(base);
    expect(hash({ baseTree: 'tree2' })).not.toBe(base);
    const moved = feature([lane('api', ['apps/api/**']), lane('web', ['apps/web/src/**'])]);
    expect(hash({ feature: moved, lane: moved.lanes[0] })).not.toBe(base);
    expect(hash()).toBe(base);
  });
});
