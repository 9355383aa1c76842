import type { ExecutorContext, Task, TaskGraph } from '@nx/devkit';
import { setMaxListeners } from 'node:events';
import { createBufferedTaskLog, type TaskLog } from './task-log';

/**
 * One task's result as a batch implementation reports it to Nx (its TaskResult). Nx 22 and
 * later read `status`, and show a task not run because one it depends on failed as skipped;
 * older Nx reads `success` alone.
 */
export interface BatchTaskResult {
  success: boolean;
  terminalOutput: string;
  startTime?: number;
  endTime?: number;
  status?: 'success' | 'failure' | 'skipped';
}

/** What the batch runs for each task: the single-task executor's own routine. */
export type RunBatchedTask<T> = (options: T, context: ExecutorContext, task: { signal: AbortSignal; log: TaskLog }) => Promise<boolean>;

export interface RunTaskBatchOptions<T> {
  taskGraph: TaskGraph;
  /** Each task's options, by task id, as Nx combined them for the executor. */
  inputs: Record<string, T>;
  context: ExecutorContext;
  run: RunBatchedTask<T>;
  /** Aborts every running task (SIGINT/SIGTERM); tasks not started yet are not started. */
  signal: AbortSignal;
  now?: () => number;
}

/**
 * Runs every task of a batch in this one process, each as soon as the tasks it depends on
 * inside the batch have succeeded (those outside it ended before Nx started the batch), and
 * yields each result as it ends, so Nx records, caches and prints that task while the others
 * run on. A task whose dependency failed is not run, as Nx would not run it.
 *
 * A lane `after` another in the same batch is cached by Nx 23.3 and later under the key of its
 * upstream's fresh lane.patch (Nx re-hashes it after the batch, nrwl/nx#35980). Nx 22 keeps the
 * key it computed before the batch ran, so after a cold batch run such a lane runs once more.
 */
export async function* runTaskBatch<T>(options: RunTaskBatchOptions<T>): AsyncGenerator<{ task: string; result: BatchTaskResult }> {
  const { taskGraph, signal } = options;
  const now = options.now ?? Date.now;
  const ids = Object.keys(taskGraph.tasks);
  const dependsOn = (id: string) => (taskGraph.dependencies[id] ?? []).filter((dep) => dep in taskGraph.tasks);
  // Each task listens to the batch's signal once, through its own controller: a batch of 16
  // lanes is more than EventTarget's default of 10 listeners before it warns.
  setMaxListeners(ids.length + 10, signal);
  const pending = new Set(ids);
  const outcome = new Map<string, boolean>();
  const running = new Map<string, Promise<{ id: string; result: BatchTaskResult }>>();

  while (pending.size || running.size) {
    const notRun: Array<{ task: string; result: BatchTaskResult }> = [];
    for (const id of [...pending]) {
      const deps = dependsOn(id);
      const failed = deps.find((dep) => outcome.get(dep) === false);
      if (failed || (signal.aborted && deps.every((dep) => outcome.has(dep)))) {
        pending.delete(id);
        outcome.set(id, false);
        const reason = failed ? `it depends on ${failed}, which failed` : 'the run was interrupted';
        notRun.push({ task: id, result: { success: false, status: 'skipped', terminalOutput: `Not run: ${reason}.\n`, startTime: now(), endTime: now() } });
      } else if (deps.every((dep) => outcome.get(dep) === true)) {
        pending.delete(id);
        running.set(id, runOne(options, taskGraph.tasks[id], now).then((result) => ({ id, result })));
      }
    }
    yield* notRun;
    if (notRun.length) continue;
    if (!running.size) {
      // Only a dependency cycle leaves tasks that can never start; Nx refuses cycles before this.
      for (const id of pending) {
        yield { task: id, result: { success: false, terminalOutput: `Not run: its dependencies inside the batch never finished (${dependsOn(id).join(', ')}).\n` } };
      }
      return;
    }
    const { id, result } = await Promise.race(running.values());
    running.delete(id);
    outcome.set(id, result.success);
    yield { task: id, result };
  }
}

async function runOne<T>(options: RunTaskBatchOptions<T>, task: Task, now: () => number): Promise<BatchTaskResult> {
  const log = createBufferedTaskLog();
  const controller = new AbortController();
  const abort = () => controller.abort(options.signal.reason);
  options.signal.addEventListener('abort', abort, { once: true });
  const startTime = now();
  try {
    const success = await options.run(options.inputs[task.id], contextOfTask(options.context, task), { signal: controller.signal, log });
    return { success, status: success ? 'success' : 'failure', terminalOutput: log.text(), startTime, endTime: now() };
  } catch (error) {
    // The task routines report their own failures; this is a bug's last line of defence.
    log.error(`${task.id} stopped on an unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return { success: false, status: 'failure', terminalOutput: log.text(), startTime, endTime: now() };
  } finally {
    options.signal.removeEventListener('abort', abort);
  }
}

/** The context Nx gives a task run alone: the batch's, narrowed to the task's project and target. */
export function contextOfTask(context: ExecutorContext, task: Task): ExecutorContext {
  const { project, target, configuration } = task.target;
  return {
    ...context,
    projectName: project,
    targetName: target,
    configurationName: configuration,
    target: context.projectsConfigurations?.projects[project]?.targets?.[target],
  };
}
