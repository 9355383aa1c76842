import type { Feature, Lane } from './feature-types';

/**
 * Lanes in a topological order of `after` (a lane comes after every lane it names); among
 * lanes that are ready at the same time the file's order wins, so the order is stable.
 * Never throws: names of unknown lanes are ignored, and lanes caught in a cycle follow
 * the rest in file order (readFeature reports both as problems before this matters).
 */
export function planLanes(lanes: Lane[]): Lane[] {
  const known = new Set(lanes.map((l) => l.name));
  const placed = new Set<string>();
  const ordered: Lane[] = [];
  let progress = true;
  while (progress && ordered.length < lanes.length) {
    progress = false;
    // Restarting from the top after each placement is what keeps ties in file order.
    const next = lanes.find((l) => !placed.has(l.name) && l.after.every((a) => !known.has(a) || placed.has(a)));
    if (next) {
      ordered.push(next);
      placed.add(next.name);
      progress = true;
    }
  }
  return ordered.concat(lanes.filter((l) => !placed.has(l.name)));
}

/** Every lane this lane comes after, directly or not, in plan order. */
export function upstreamLanes(feature: Pick<Feature, 'lanes'>, lane: Pick<Lane, 'name'>): Lane[] {
  const byName = new Map(feature.lanes.map((l) => [l.name, l]));
  const seen = new Set<string>();
  const visit = (name: string) => {
    for (const dep of byName.get(name)?.after ?? []) {
      if (!seen.has(dep)) {
        seen.add(dep);
        visit(dep);
      }
    }
  };
  visit(lane.name);
  return feature.lanes.filter((l) => seen.has(l.name));
}

/**
 * Every cycle in `after`, each as the lane names along it with the first repeated at the end
 * (`['a', 'b', 'a']`), each reported once, starting from the lane of the cycle that the file reaches first.
 */
export function findLaneCycles(lanes: ReadonlyArray<Pick<Lane, 'name' | 'after'>>): string[][] {
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
