import { planCacheUsage } from './plan-cache-usage';

const block = (text: string, ttl?: '1h') => ({ type: 'text', text, cache_control: { type: 'ephemeral', ...(ttl ? { ttl } : {}) } });
const base = { model: 'm', messages: [{ role: 'user', content: 'question' }] };

describe('planCacheUsage', () => {
  it('counts everything as plain input when there is no breakpoint', () => {
    const plan = planCacheUsage({ request: { ...base, system: 'x'.repeat(8000) }, known: new Map(), minCacheableTokens: 10 });
    expect(plan.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0, input_tokens: plan.totalTokens });
    expect(plan.writes).toEqual([]);
  });

  it('writes the prefix up to the last breakpoint, then reads the longest known prefix', () => {
    const request = {
      ...base,
      tools: [{ name: 'read_file', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } }],
      system: [block('s'.repeat(400))],
    };
    const first = planCacheUsage({ request, known: new Map(), minCacheableTokens: 1 });
    expect(first.writes).toHaveLength(2);
    expect(first.usage.cache_read_input_tokens).toBe(0);
    expect(first.usage.cache_creation_input_tokens).toBe(first.writes[1][1]);
    expect(first.usage.input_tokens + first.usage.cache_creation_input_tokens).toBe(first.totalTokens);

    const known = new Map(first.writes);
    const longer = { ...request, messages: [...base.messages, { role: 'assistant', content: 'answer' }, { role: 'user', content: [block('next '.repeat(100))] }] };
    const second = planCacheUsage({ request: longer, known, minCacheableTokens: 1 });
    expect(second.usage.cache_read_input_tokens).toBe(first.writes[1][1]);
    expect(second.usage.cache_creation_input_tokens).toBe(second.writes[2][1] - first.writes[1][1]);
    expect(second.usage.cache_creation.ephemeral_5m_input_tokens).toBe(second.usage.cache_creation_input_tokens);
    expect(second.usage.input_tokens + second.usage.cache_read_input_tokens + second.usage.cache_creation_input_tokens).toBe(
      second.totalTokens,
    );
  });

  it('skips breakpoints below the minimum, keys the cache by model, and splits writes by ttl', () => {
    const request = { ...base, system: [block('a'.repeat(40)), block('b'.repeat(4000), '1h')] };
    const plan = planCacheUsage({ request, known: new Map(), minCacheableTokens: 100 });
    expect(plan.writes).toHaveLength(1);
    expect(plan.usage.cache_creation).toEqual({ ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: plan.writes[0][1] });
    const other = planCacheUsage({ request: { ...request, model: 'other' }, known: new Map(plan.writes), minCacheableTokens: 100 });
    expect(other.usage.cache_read_input_tokens).toBe(0);
  });

  it('treats top-level cache_control as a breakpoint on the last block, unaffected by where breakpoints sit', () => {
    const request = { ...base, system: 'z'.repeat(400), cache_control: { type: 'ephemeral' } };
    const plan = planCacheUsage({ request, known: new Map(), minCacheableTokens: 1 });
    expect(plan.usage.cache_creation_input_tokens).toBe(plan.totalTokens);
    const explicit = { ...base, system: 'z'.repeat(400), messages: [{ role: 'user', content: [{ type: 'text', text: 'question', cache_control: { type: 'ephemeral' } }] }] };
    const again = planCacheUsage({ request: explicit, known: new Map(plan.writes), minCacheableTokens: 1 });
    expect(again.usage.cache_read_input_tokens).toBeGreaterThan(0);
  });

  it('flags more than four breakpoints', () => {
    const request = { ...base, system: [1, 2, 3, 4, 5].map((n) => block(`part ${n}`)) };
    expect(planCacheUsage({ request, known: new Map(), minCacheableTokens: 1 }).error).toMatch(/maximum of 4 .* Found 5/);
  });
});
