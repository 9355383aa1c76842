/**
 * Lets at most `limit` requests of one lane be upstream at once; the rest wait in arrival order.
 * This is what bounds a budget's overshoot: a request admitted while others are still being
 * answered cannot know what they will cost, so with a limit of 1 only the request that crosses
 * the budget is ever paid beyond it.
 */
export interface LaneGate {
  /** Resolves with a release function once the request may go; undefined if `signal` aborted first. */
  acquire(signal: AbortSignal): Promise<(() => void) | undefined>;
  /** Requests holding the gate now. */
  active(): number;
}

export function createLaneGate(limit: number): LaneGate {
  let active = 0;
  const waiting: Array<{ grant: () => void; signal: AbortSignal }> = [];

  function release(): void {
    active--;
    for (let next = waiting.shift(); next; next = waiting.shift()) {
      if (next.signal.aborted) continue;
      next.grant();
      return;
    }
  }

  function grantOnce(): () => void {
    active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  }

  return {
    active: () => active,
    acquire(signal) {
      if (signal.aborted) return Promise.resolve(undefined);
      if (active < limit) return Promise.resolve(grantOnce());
      return new Promise((resolve) => {
        const onAbort = () => {
          const index = waiting.findIndex((w) => w.signal === signal);
          if (index >= 0) waiting.splice(index, 1);
          resolve(undefined);
        };
        waiting.push({
          signal,
          grant: () => {
            signal.removeEventListener('abort', onAbort);
            resolve(grantOnce());
          },
        });
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}
