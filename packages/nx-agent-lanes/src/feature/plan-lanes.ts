import type { Feature, Lane } from './feature-types';

/**
 * Lanes in a topological order of `after` (a lane comes after every lane it names); among
 * lanes that are ready at the same time the file's order wins, so the order is stable.
 * Never throws: names of unknown lanes are ignored, and lanes caught in a cycle follow
 * the rest in file order (readFeature reports both as problems before this matters).
 * Lane names are unique (they are the keys of `lanes`).
 */
export function planLanes(lanes: Lane[]): Lane[] {
  const indexOf = new Map(lanes.map((l, i) => [l.name, i]));
  // For each lane, how many distinct known lanes it still waits for, and who waits for it.
  const waiting = lanes.map(() => 0);
  const waiters: number[][] = lanes.map(() => []);
  lanes.forEach((lane, i) => {
    for (const name of new Set(lane.after)) {
      const upstream = indexOf.get(name);
      if (upstream === undefined) continue;
      waiting[i]++;
      waiters[upstream].push(i);
    }
  });
  // The ready lane that comes first in the file is placed next: a min-heap of file positions.
  const ready = new MinHeap(lanes.flatMap((_, i) => (waiting[i] === 0 ? [i] : [])));
  const placed = new Set<number>();
  const ordered: Lane[] = [];
  for (let next = ready.pop(); next !== undefined; next = ready.pop()) {
    ordered.push(lanes[next]);
    placed.add(next);
    for (const waiter of waiters[next]) if (--waiting[waiter] === 0) ready.push(waiter);
  }
  return ordered.concat(lanes.filter((_, i) => !placed.has(i)));
}

/** Every lane this lane comes after, directly or not, in plan order. */
export function upstreamLanes(feature: Pick<Feature, 'lanes'>, lane: Pick<Lane, 'name'>): Lane[] {
  return indexUpstreamLanes(feature)(lane);
}

/**
 * upstreamLanes for many lanes of one feature: the lanes are indexed once, so a plan of
 * thousands of lanes is not walked again for each of them.
 */
export function indexUpstreamLanes(feature: Pick<Feature, 'lanes'>): (lane: Pick<Lane, 'name'>) => Lane[] {
  const byName = new Map(feature.lanes.map((l, i) => [l.name, { lane: l, index: i }]));
  return (lane) => {
    // A loop, not recursion: a chain of thousands of lanes would overflow the call stack.
    const seen = new Set<string>();
    const pending = [lane.name];
    for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
      for (const dep of byName.get(name)?.lane.after ?? []) {
        if (!seen.has(dep)) {
          seen.add(dep);
          pending.push(dep);
        }
      }
    }
    return [...seen]
      .flatMap((name) => {
        const known = byName.get(name);
        return known ? [known] : [];
      })
      .sort((x, y) => x.index - y.index)
      .map((known) => known.lane);
  };
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
  // The depth-first walk keeps its own stack (a chain of thousands of lanes would overflow the
  // call stack) and each name's place on it (`indexOf` on a deep stack is quadratic).
  const stack: string[] = [];
  const onStack = new Map<string, number>();
  const frames: { lane: Pick<Lane, 'name' | 'after'>; next: number }[] = [];
  const enter = (name: string): void => {
    if (done.has(name)) return;
    const at = onStack.get(name);
    if (at !== undefined) {
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
    onStack.set(name, stack.length);
    stack.push(name);
    frames.push({ lane, next: 0 });
  };
  for (const lane of lanes) {
    enter(lane.name);
    while (frames.length > 0) {
      const top = frames[frames.length - 1];
      if (top.next < top.lane.after.length) {
        enter(top.lane.after[top.next++]);
        continue;
      }
      frames.pop();
      const name = stack.pop() as string;
      onStack.delete(name);
      done.add(name);
    }
  }
  return cycles;
}

/** Smallest number first. */
class MinHeap {
  private readonly items: number[] = [];

  constructor(initial: readonly number[]) {
    for (const item of initial) this.push(item);
  }

  push(item: number): void {
    const items = this.items;
    items.push(item);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (items[parent] <= items[i]) break;
      [items[parent], items[i]] = [items[i], items[parent]];
      i = parent;
    }
  }

  pop(): number | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop() as number;
    if (items.length > 0) {
      items[0] = last;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && items[left] < items[smallest]) smallest = left;
        if (right < items.length && items[right] < items[smallest]) smallest = right;
        if (smallest === i) break;
        [items[smallest], items[i]] = [items[i], items[smallest]];
        i = smallest;
      }
    }
    return top;
  }
}
