import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_PROVIDERS, DEFAULT_AGENT } from './default-agent';
import { AGENT_KEYS, FEATURE_KEYS, INTEGRATION_KEYS, LANE_KEYS, LIMIT_KEYS, PRICE_KEYS, REVIEW_KEYS } from './feature-keys';
import { DEFAULT_LIMITS, MIN_LIMIT_BYTES } from './read-limits';

/* feature.schema.json drives editor completion; the validator decides. They must agree. */

interface SchemaNode {
  $ref?: string;
  description?: string;
  type?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  required?: string[];
  enum?: string[];
  default?: unknown;
  minimum?: number;
  items?: SchemaNode;
  definitions?: Record<string, SchemaNode>;
}

const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', 'feature.schema.json'), 'utf8')) as SchemaNode;

function resolve(node: SchemaNode): SchemaNode {
  if (!node.$ref) return node;
  const name = node.$ref.replace('#/definitions/', '');
  return schema.definitions![name];
}

const agent = resolve(schema.properties!.agent);
const lane = resolve(schema.properties!.lanes.additionalProperties as SchemaNode);
const price = resolve(agent.properties!.prices.additionalProperties as SchemaNode);
const limits = resolve(schema.properties!.limits);

describe('feature.schema.json', () => {
  it('is draft-07', () => {
    expect(schema).toMatchObject({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' });
  });

  it.each([
    ['the feature', schema, FEATURE_KEYS],
    ['a lane', lane, LANE_KEYS],
    ['an agent', agent, AGENT_KEYS],
    ['a price', price, PRICE_KEYS],
    ['integration', schema.properties!.integration, INTEGRATION_KEYS],
    ['review', schema.properties!.review, REVIEW_KEYS],
    ['limits', limits, LIMIT_KEYS],
    ['a lane\'s limits', resolve(lane.properties!.limits), LIMIT_KEYS],
  ])('lists exactly the keys the validator knows for %s, and no others', (_, node, keys) => {
    expect(Object.keys(node.properties ?? {}).sort()).toEqual([...keys].sort());
    expect(node.additionalProperties).toBe(false);
  });

  it('has a description on every property, at every level', () => {
    const missing: string[] = [];
    const visit = (node: SchemaNode, path: string): void => {
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        if (!child.description) missing.push(`${path}.${key}`);
        visit(resolve(child), `${path}.${key}`);
      }
    };
    visit(schema, '');
    for (const [name, definition] of Object.entries(schema.definitions ?? {})) visit(definition, `#${name}`);
    expect(missing).toEqual([]);
  });

  it('requires what the validator requires', () => {
    expect(schema.required?.sort()).toEqual(['contract', 'goal', 'lanes']);
    expect(lane.required?.sort()).toEqual(['owns', 'spec', 'test']);
    expect(price.required?.sort()).toEqual(['input', 'output']);
  });

  it('states the same agent defaults and providers as the code', () => {
    const defaults = Object.fromEntries(Object.entries(agent.properties!).filter(([, p]) => p.default !== undefined).map(([k, p]) => [k, p.default]));
    expect(defaults).toEqual({ ...DEFAULT_AGENT, claudeMd: false });
    expect(agent.properties!.provider.enum).toEqual([...AGENT_PROVIDERS]);
  });

  it('states the same limits, defaults and minimum as the code', () => {
    const props = Object.entries(limits.properties!);
    expect(Object.fromEntries(props.map(([k, p]) => [k, p.default]))).toEqual({ ...DEFAULT_LIMITS });
    expect(props.map(([, p]) => p.minimum)).toEqual(props.map(() => MIN_LIMIT_BYTES));
  });
});
