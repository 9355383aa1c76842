/**
 * SIGINT/SIGTERM while an executor runs: abort the agents (which stop their child
 * processes), let the executor keep their work and remove its worktrees, then exit
 * 130/143 as a shell would report the signal.
 */
export function onInterrupt(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handlers: Array<[NodeJS.Signals, () => void]> = (['SIGINT', 'SIGTERM'] as const).map((sig) => [
    sig,
    () => {
      process.exitCode = sig === 'SIGINT' ? 130 : 143;
      controller.abort(new Error(`received ${sig}`));
    },
  ]);
  for (const [sig, handler] of handlers) process.on(sig, handler);
  return {
    signal: controller.signal,
    dispose() {
      for (const [sig, handler] of handlers) process.off(sig, handler);
    },
  };
}
