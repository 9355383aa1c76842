import { createKeyDigester, keyDigest, planAgentKey, planVerifyKey } from './lane-cache-inputs';
import { readFeatureOrThrow } from '../feature/read-feature';

describe('createKeyDigester', () => {
  it('gives keyDigest of each key, for data JSON writes in its own ways', () => {
    const shared = { table: { a: 1, b: [1.5, -0, 1e21] } };
    const keys: Record<string, unknown>[] = [
      { text: 'quote " backslash \\ newline \n tab \t nul \u0000 é 😀 \ud800', shared },
      { skipped: undefined, fn: () => 1, kept: null, nan: NaN, infinity: -Infinity, shared },
      // eslint-disable-next-line no-sparse-arrays
      { items: [undefined, () => 1, , 'x', [[]], {}], shared, again: shared.table },
      { when: new Date(0), nested: { deeper: { deepest: [true, false] } }, 10: 'integer keys come first', b: 1, a: 2 },
    ];
    const digest = createKeyDigester();
    for (const key of keys) expect(digest(key)).toBe(keyDigest(key));
    expect(new Set(keys.map((key) => digest(key))).size).toBe(keys.length);
  });

  it('gives the digests lanes had, for lanes that share the feature agent and for one with its own', () => {
    const feature = readFeatureOrThrow({
      file: 'features/f/feature.jsonc',
      text: JSON.stringify({
        goal: 'Export orders',
        contract: 'contract.md',
        secrets: ['API_TOKEN'],
        agent: { provider: 'anthropic', model: 'claude-sonnet-5-5' },
        lanes: {
          a: { spec: 'a.md', owns: ['apps/a/**'], test: 'node a.js' },
          b: { spec: 'b.md', owns: ['apps/b/**'], test: 'node b.js', after: ['a'] },
          c: { spec: 'c.md', owns: ['apps/c/**'], test: 'node c.js', agent: { model: 'claude-opus-5-5', prices: { 'claude-opus-5-5': { input: 4, output: 20 } } } },
        },
      }),
      fileStatus: () => 'file',
    });
    expect(feature.lanes[0].agent).toBe(feature.lanes[1].agent);
    expect(feature.lanes[2].agent).not.toBe(feature.lanes[0].agent);
    const digest = createKeyDigester();
    for (const lane of feature.lanes) {
      expect(digest(planAgentKey(feature, lane))).toBe(keyDigest(planAgentKey(feature, lane)));
      expect(digest(planVerifyKey(feature, lane))).toBe(keyDigest(planVerifyKey(feature, lane)));
    }
    expect(new Set(feature.lanes.map((lane) => digest(planAgentKey(feature, lane)))).size).toBe(3);
  });
});
