import type { ExecutorContext, Task, TaskGraph } from '@nx/devkit';
import { contextOfTask, runTaskBatch, type BatchTaskResult, type RunBatchedTask } from './run-task-batch';

const task = (id: string): Task => {
  const [project, target] = id.split(':');
  return { id, target: { project, target }, overrides: {}, outputs: [], parallelism: true } as Task;
};

function graphOf(deps: Record<string, string[]>): TaskGraph {
  const ids = Object.keys(deps);
  return {
    roots: ids.filter((id) => !deps[id].length),
    tasks: Object.fromEntries(ids.map((id) => [id, task(id)])),
    dependencies: deps,
    continuousDependencies: Object.fromEntries(ids.map((id) => [id, []])),
  } as TaskGraph;
}

const context = {
  root: '/ws',
  cwd: '/ws',
  isVerbose: false,
  projectsConfigurations: {
    version: 2,
    projects: {
      'f/a': { root: 'f/lanes/a', targets: { agent: { executor: 'nx-agent-lanes:agent-lane', options: { lane: 'a' } } } },
      'f/b': { root: 'f/lanes/b', targets: { agent: { executor: 'nx-agent-lanes:agent-lane', options: { lane: 'b' } } } },
    },
  },
} as unknown as ExecutorContext;

/** A task run that waits until the test ends it, and records when each task started. */
function controlledRun() {
  const started: string[] = [];
  const finish = new Map<string, (success: boolean) => void>();
  const waiting = new Map<string, () => void>();
  const run: RunBatchedTask<{ lane: string }> = (options, taskContext, { log }) => {
    started.push(`${taskContext.projectName}:${taskContext.targetName}`);
    log.info(`[${options.lane}] working`);
    waiting.get(options.lane)?.();
    return new Promise((resolve) => finish.set(options.lane, resolve));
  };
  const whenStarted = (lane: string) => new Promise<void>((resolve) => (finish.has(lane) ? resolve() : waiting.set(lane, resolve)));
  return { run, started, finish: (lane: string, success: boolean) => finish.get(lane)!(success), whenStarted };
}

async function collect(iterator: AsyncGenerator<{ task: string; result: BatchTaskResult }>, into: Array<{ task: string; result: BatchTaskResult }>) {
  for await (const item of iterator) into.push(item);
}

describe('runTaskBatch', () => {
  it('starts independent tasks together, a dependent one after its dependency, and yields each as it ends', async () => {
    const lanes = controlledRun();
    const results: Array<{ task: string; result: BatchTaskResult }> = [];
    const done = collect(
      runTaskBatch({
        taskGraph: graphOf({ 'f/a:agent': [], 'f/b:agent': [], 'f/c:agent': ['f/a:agent'] }),
        inputs: { 'f/a:agent': { lane: 'a' }, 'f/b:agent': { lane: 'b' }, 'f/c:agent': { lane: 'c' } },
        context,
        run: lanes.run,
        signal: new AbortController().signal,
      }),
      results,
    );
    await Promise.all([lanes.whenStarted('a'), lanes.whenStarted('b')]);
    expect(lanes.started).toEqual(['f/a:agent', 'f/b:agent']);
    lanes.finish('b', true);
    lanes.finish('a', true);
    await lanes.whenStarted('c');
    expect(lanes.started).toEqual(['f/a:agent', 'f/b:agent', 'f/c:agent']);
    expect(results.map((r) => r.task)).toEqual(['f/b:agent', 'f/a:agent']);
    lanes.finish('c', false);
    await done;
    expect(results.map((r) => [r.task, r.result.success, r.result.status])).toEqual([
      ['f/b:agent', true, 'success'],
      ['f/a:agent', true, 'success'],
      ['f/c:agent', false, 'failure'],
    ]);
    // Each task's terminal output holds its own lines, not its neighbours'.
    expect(results.find((r) => r.task === 'f/a:agent')!.result.terminalOutput).toBe('[a] working\n');
  });

  it('does not run a task whose dependency in the batch failed, and says which one', async () => {
    const lanes = controlledRun();
    const results: Array<{ task: string; result: BatchTaskResult }> = [];
    const done = collect(
      runTaskBatch({
        taskGraph: graphOf({ 'f/a:agent': [], 'f/c:agent': ['f/a:agent'], 'f/d:agent': ['f/c:agent'] }),
        inputs: { 'f/a:agent': { lane: 'a' }, 'f/c:agent': { lane: 'c' }, 'f/d:agent': { lane: 'd' } },
        context,
        run: lanes.run,
        signal: new AbortController().signal,
      }),
      results,
    );
    await lanes.whenStarted('a');
    lanes.finish('a', false);
    await done;
    expect(lanes.started).toEqual(['f/a:agent']);
    expect(results.map((r) => [r.task, r.result.status])).toEqual([
      ['f/a:agent', 'failure'],
      ['f/c:agent', 'skipped'],
      ['f/d:agent', 'skipped'],
    ]);
    expect(results[1].result).toMatchObject({ success: false, terminalOutput: 'Not run: it depends on f/a:agent, which failed.\n' });
  });

  it('runs a task whose dependency is outside the batch (Nx ran it before the batch)', async () => {
    const lanes = controlledRun();
    const results: Array<{ task: string; result: BatchTaskResult }> = [];
    const done = collect(
      runTaskBatch({
        taskGraph: graphOf({ 'f/a:verify': ['f/a:agent'] }),
        inputs: { 'f/a:verify': { lane: 'a' } },
        context,
        run: lanes.run,
        signal: new AbortController().signal,
      }),
      results,
    );
    await lanes.whenStarted('a');
    lanes.finish('a', true);
    await done;
    expect(results.map((r) => [r.task, r.result.status])).toEqual([['f/a:verify', 'success']]);
  });

  it("passes each running task the batch's interrupt through a signal of its own, and starts nothing after it", async () => {
    const interrupt = new AbortController();
    const signals: AbortSignal[] = [];
    const results: Array<{ task: string; result: BatchTaskResult }> = [];
    const done = collect(
      runTaskBatch({
        taskGraph: graphOf({ 'f/a:agent': [], 'f/b:agent': [], 'f/c:agent': ['f/a:agent'] }),
        inputs: { 'f/a:agent': { lane: 'a' }, 'f/b:agent': { lane: 'b' }, 'f/c:agent': { lane: 'c' } },
        context,
        signal: interrupt.signal,
        run: (_options, _context, { signal }) => {
          signals.push(signal);
          return new Promise((resolve) => signal.addEventListener('abort', () => resolve(false)));
        },
      }),
      results,
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(signals.map((s) => s.aborted)).toEqual([false, false]);
    interrupt.abort(new Error('received SIGINT'));
    await done;
    expect(signals).toHaveLength(2);
    expect(signals[0]).not.toBe(signals[1]);
    expect(signals.map((s) => s.aborted)).toEqual([true, true]);
    // The task after the interrupted one is not started.
    expect(results.map((r) => [r.task, r.result.status]).sort()).toEqual([
      ['f/a:agent', 'failure'],
      ['f/b:agent', 'failure'],
      ['f/c:agent', 'skipped'],
    ]);
  });

  it('reports a task routine that throws as that task failing, with the error in its output', async () => {
    const results: Array<{ task: string; result: BatchTaskResult }> = [];
    await collect(
      runTaskBatch({
        taskGraph: graphOf({ 'f/a:agent': [], 'f/b:agent': [] }),
        inputs: { 'f/a:agent': { lane: 'a' }, 'f/b:agent': { lane: 'b' } },
        context,
        signal: new AbortController().signal,
        run: (options) => (options.lane === 'a' ? Promise.reject(new Error('boom')) : Promise.resolve(true)),
      }),
      results,
    );
    const failed = results.find((r) => r.task === 'f/a:agent')!.result;
    expect(failed.success).toBe(false);
    expect(failed.terminalOutput).toContain('f/a:agent stopped on an unexpected error: Error: boom');
    expect(results.find((r) => r.task === 'f/b:agent')!.result.success).toBe(true);
  });
});

describe('contextOfTask', () => {
  it("narrows the batch's context to the task's project and target, as Nx gives a task run alone", () => {
    const narrowed = contextOfTask(context, task('f/b:agent'));
    expect(narrowed).toMatchObject({ root: '/ws', projectName: 'f/b', targetName: 'agent', configurationName: undefined });
    expect(narrowed.target).toEqual({ executor: 'nx-agent-lanes:agent-lane', options: { lane: 'b' } });
  });
});
