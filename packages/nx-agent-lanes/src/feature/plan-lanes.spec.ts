import { resolveAgentConfig } from './default-agent';
import type { Lane } from './feature-types';
import { findLaneCycles, planLanes, upstreamLanes } from './plan-lanes';
import { DEFAULT_LIMITS } from './read-limits';
import { DEFAULT_SANDBOX } from './read-sandbox';

function lane(name: string, after: string[] = []): Lane {
  return { name, specPath: `f/${name}.md`, owns: [`${name}.ts`], forbids: [], test: 't', after, agent: resolveAgentConfig({}), risky: false, limits: DEFAULT_LIMITS, sandbox: DEFAULT_SANDBOX };
}

const names = (lanes: Lane[]) => lanes.map((l) => l.name);

describe('planLanes', () => {
  it('keeps the file order when no lane waits for another', () => {
    expect(names(planLanes([lane('docs'), lane('api'), lane('web')]))).toEqual(['docs', 'api', 'web']);
  });

  it('puts every lane after the lanes it names, ties in file order', () => {
    const lanes = [lane('web', ['api', 'logic']), lane('docs'), lane('logic', ['api']), lane('api'), lane('e2e', ['web'])];
    expect(names(planLanes(lanes))).toEqual(['docs', 'api', 'logic', 'web', 'e2e']);
  });

  it('ignores unknown names and puts lanes caught in a cycle last, in file order, without throwing', () => {
    const lanes = [lane('a', ['b']), lane('b', ['a']), lane('c', ['ghost']), lane('d', ['a'])];
    expect(names(planLanes(lanes))).toEqual(['c', 'a', 'b', 'd']);
  });

  it('returns a new array and leaves the input as it was', () => {
    const lanes = [lane('b', ['a']), lane('a')];
    const planned = planLanes(lanes);
    expect(names(planned)).toEqual(['a', 'b']);
    expect(names(lanes)).toEqual(['b', 'a']);
  });
});

describe('findLaneCycles', () => {
  it('finds each cycle once, including a lane waiting for itself', () => {
    const lanes = [
      { name: 'x', after: ['a'] },
      { name: 'a', after: ['b'] },
      { name: 'b', after: ['a'] },
      { name: 's', after: ['s'] },
      { name: 'ok', after: ['x'] },
    ];
    expect(findLaneCycles(lanes)).toEqual([
      ['a', 'b', 'a'],
      ['s', 's'],
    ]);
  });

  it('finds nothing in a graph without cycles', () => {
    expect(findLaneCycles([{ name: 'a', after: [] }, { name: 'b', after: ['a', 'ghost'] }])).toEqual([]);
  });
});

describe('upstreamLanes', () => {
  it('lists every lane a lane comes after, directly or not, in plan order', () => {
    const lanes = [lane('docs', ['web']), lane('api'), lane('logic', ['api']), lane('web', ['logic']), lane('other')];
    const feature = { lanes };
    expect(upstreamLanes(feature, lanes[0]).map((l) => l.name)).toEqual(['api', 'logic', 'web']);
    expect(upstreamLanes(feature, lanes[1])).toEqual([]);
  });

  it('stops on a cycle, which readFeature reports, and ignores unknown names', () => {
    const lanes = [lane('a', ['b']), lane('b', ['a', 'ghost'])];
    expect(upstreamLanes({ lanes }, lanes[0]).map((l) => l.name)).toEqual(['a', 'b']);
  });
});
