import { logger } from '@nx/devkit';

/** Where one task's lines go: Nx's logger for a task of its own, a buffer as well in a batch. */
export interface TaskLog {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

/** A task in a process of its own: Nx captures the process's output as the task's. */
export const nxTaskLog: TaskLog = {
  info: (line) => logger.info(line),
  warn: (line) => logger.warn(line),
  error: (line) => logger.error(line),
};

/**
 * A task in a batch shares the process's output with every other task, so its own lines are
 * kept apart too: Nx prints and caches them as that task's terminal output. They still go to
 * the logger as they come, which is what the TUI's batch pane (and Nx 21's inherited output) shows.
 */
export function createBufferedTaskLog(): TaskLog & { text(): string } {
  const lines: string[] = [];
  const keep = (write: (line: string) => void) => (line: string) => {
    lines.push(line);
    write(line);
  };
  return {
    info: keep(nxTaskLog.info),
    warn: keep(nxTaskLog.warn),
    error: keep(nxTaskLog.error),
    text: () => (lines.length ? `${lines.join('\n')}\n` : ''),
  };
}
