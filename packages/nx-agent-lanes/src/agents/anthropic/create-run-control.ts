/*
 * The stop conditions of one lane run that come from outside the conversation: the caller's
 * interrupt and the wall-clock limit. One AbortSignal carries both to the in-flight request and
 * to a running test command; `stopCause` says which one fired.
 */

export type StopCause = 'interrupted' | 'timed-out';

export interface RunControl {
  /** Aborts on interrupt or when the wall-clock limit passes. */
  signal: AbortSignal;
  stopCause(): StopCause | undefined;
  /** Run time so far, without the time spent in `pauseFor`. */
  elapsedMs(): number;
  /** True (and the run stopped) once the limit has passed, by the injected clock. */
  checkDeadline(): boolean;
  /** Waits for `work` with the clock stopped (a person answering a blocker is not agent time); an interrupt ends the wait with undefined. */
  pauseFor<T>(work: () => Promise<T>): Promise<T | undefined>;
  dispose(): void;
}

export function createRunControl(options: { signal: AbortSignal; limitMs: number; now: () => number }): RunControl {
  const { signal: outer, limitMs, now } = options;
  const startedAt = now();
  let pausedMs = 0;
  let cause: StopCause | undefined;
  const run = new AbortController();
  const stop = (why: StopCause) => {
    cause ??= why;
    run.abort();
  };
  const elapsedMs = () => now() - startedAt - pausedMs;
  const onAbort = () => stop('interrupted');
  if (outer.aborted) onAbort();
  outer.addEventListener('abort', onAbort);
  let deadline: NodeJS.Timeout | undefined;
  // A real timer as well as the clock check, so a request or a test command in flight is cut at the limit.
  const armDeadline = () => {
    clearTimeout(deadline);
    deadline = setTimeout(() => stop('timed-out'), Math.max(0, limitMs - elapsedMs()));
    deadline.unref();
  };
  armDeadline();
  return {
    signal: run.signal,
    stopCause: () => cause,
    elapsedMs,
    checkDeadline() {
      if (elapsedMs() >= limitMs) stop('timed-out');
      return run.signal.aborted;
    },
    async pauseFor<T>(work: () => Promise<T>): Promise<T | undefined> {
      clearTimeout(deadline);
      const pausedAt = now();
      let onAbort: (() => void) | undefined;
      const interrupted = new Promise<undefined>((resolve) => {
        onAbort = () => resolve(undefined);
        if (outer.aborted) resolve(undefined);
        else outer.addEventListener('abort', onAbort, { once: true });
      });
      try {
        return await Promise.race([work(), interrupted]);
      } finally {
        // One pause per blocker answered in place: its listener must not stay on the lane's signal.
        if (onAbort) outer.removeEventListener('abort', onAbort);
        pausedMs += now() - pausedAt;
        if (!run.signal.aborted) armDeadline();
      }
    },
    dispose() {
      clearTimeout(deadline);
      outer.removeEventListener('abort', onAbort);
      run.abort();
    },
  };
}
