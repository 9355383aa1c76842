import type { Lane } from './feature-types';
import { findLaneCycles, planLanes, upstreamLanes } from './plan-lanes';

/*
 * planLanes, upstreamLanes and findLaneCycles walk the plan once; these specs hold them to the
 * plain definitions (place the first ready lane in file order, again and again; follow `after`
 * recursively) on generated plans, and to plans too long for a recursive walk.
 */

const laneOf = (name: string, after: string[] = []): Lane => ({ name, after }) as unknown as Lane;

function planByRescanning(lanes: Lane[]): string[] {
  const known = new Set(lanes.map((l) => l.name));
  const placed = new Set<string>();
  const ordered: string[] = [];
  for (;;) {
    const next = lanes.find((l) => !placed.has(l.name) && l.after.every((a) => !known.has(a) || placed.has(a)));
    if (!next) break;
    ordered.push(next.name);
    placed.add(next.name);
  }
  return ordered.concat(lanes.filter((l) => !placed.has(l.name)).map((l) => l.name));
}

function upstreamByRecursion(lanes: Lane[], name: string): string[] {
  const byName = new Map(lanes.map((l) => [l.name, l]));
  const seen = new Set<string>();
  const visit = (n: string) => {
    for (const dep of byName.get(n)?.after ?? []) {
      if (!seen.has(dep)) {
        seen.add(dep);
        visit(dep);
      }
    }
  };
  visit(name);
  return lanes.filter((l) => seen.has(l.name)).map((l) => l.name);
}

function cyclesByRecursion(lanes: Lane[]): string[][] {
  const byName = new Map(lanes.map((l) => [l.name, l]));
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    if (done.has(name)) return;
    const at = stack.indexOf(name);
    if (at >= 0) {
      const cycle = [...stack.slice(at), name];
      const key = [...cycle.slice(0, -1)].sort().join('\n');
      if (!seen.has(key)) {
        seen.add(key);
        cycles.push(cycle);
      }
      return;
    }
    const lane = byName.get(name);
    if (!lane) return;
    stack.push(name);
    for (const a of lane.after) visit(a);
    stack.pop();
    done.add(name);
  };
  for (const lane of lanes) visit(lane.name);
  return cycles;
}

describe('planLanes, upstreamLanes and findLaneCycles on generated plans', () => {
  it('give the same order, upstream lanes and cycles as the plain definitions', () => {
    let state = 7;
    const random = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    for (let round = 0; round < 300; round++) {
      const count = 1 + Math.floor(random() * 9);
      const names = Array.from({ length: count }, (_, i) => `l${i}`);
      const lanes = names.map((name) => {
        // Repeats, unknown names, the lane itself and cycles all occur.
        const after = Array.from({ length: Math.floor(random() * 3) }, () => (random() < 0.1 ? 'ghost' : names[Math.floor(random() * count)]));
        return laneOf(name, after);
      });
      expect(planLanes(lanes).map((l) => l.name)).toEqual(planByRescanning(lanes));
      expect(findLaneCycles(lanes)).toEqual(cyclesByRecursion(lanes));
      for (const name of names) expect(upstreamLanes({ lanes }, { name }).map((l) => l.name)).toEqual(upstreamByRecursion(lanes, name));
    }
  });

  it('handle a chain of 20,000 lanes, each after the one before, listed last to first', () => {
    const lanes = Array.from({ length: 20_000 }, (_, i) => laneOf(`l${20_000 - i}`, i < 19_999 ? [`l${19_999 - i}`] : []));
    const ordered = planLanes(lanes).map((l) => l.name);
    expect(ordered.slice(0, 3)).toEqual(['l1', 'l2', 'l3']);
    expect(ordered.at(-1)).toBe('l20000');
    expect(findLaneCycles(lanes)).toEqual([]);
    expect(upstreamLanes({ lanes }, { name: 'l20000' })).toHaveLength(19_999);
    lanes[lanes.length - 1] = laneOf('l1', ['l20000']);
    expect(findLaneCycles(lanes)).toHaveLength(1);
    expect(findLaneCycles(lanes)[0]).toHaveLength(20_001);
  });
});
