import type { LaneProcessRunner } from '../../stage/lane-process-runner';
import type { ToolResult } from './tool-result';
import { failTool, succeedTool } from './tool-result';

const TAIL_LINES = 100;
const MAX_TAIL_CHARS = 20_000;
/** After SIGTERM, how long the test processes get before SIGKILL. */
const KILL_GRACE_MS = 2000;
/** Output a run_tests call reads; what comes past it is dropped with a marker (only the tail is shown). */
const OUTPUT_CAP_BYTES = 8 * 1024 * 1024;

export interface RunLaneTestsOptions {
  /** The lane's declared test command, run by the shell. */
  command: string;
  cwd: string;
  /** The tests' environment: no credential and no proxy address. */
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal: AbortSignal;
  /** The lane's runner: the tests run in the lane's sandbox, their output redacted before the tail is cut. */
  runProcess: LaneProcessRunner;
}

/**
 * Runs the lane's test command and reports its exit code and the last lines of its output.
 * A red test run is a normal result (the model reads it and fixes the code); only a command
 * that could not run or had to be killed is an error.
 */
export async function runLaneTests({ command, cwd, env, timeoutMs, signal, runProcess }: RunLaneTestsOptions): Promise<ToolResult> {
  if (!command.trim()) return failTool('This lane declares no test command.');
  const lines: string[] = [];
  let count = 0;
  let exit;
  try {
    exit = await runProcess({
      command,
      cwd,
      env,
      signal,
      timeoutMs,
      killGraceMs: KILL_GRACE_MS,
      outputCapBytes: OUTPUT_CAP_BYTES,
      onLine: (line) => {
        count++;
        // Memory stays bounded on chatty suites: only the tail is ever shown.
        if (lines.push(line) > TAIL_LINES) lines.shift();
      },
    });
  } catch (error) {
    return failTool(`The test command could not start: ${(error as Error).message}`);
  }
  // Past the cap the runner still knows how the output ended: a suite says why it failed at its end.
  if (exit.droppedBytes > 0) lines.push(...exit.stderrTail, ...(exit.lastStdoutLine ? [exit.lastStdoutLine] : []));
  const tail = formatTail(lines.slice(-TAIL_LINES), count);
  if (exit.timedOut) return failTool(`The test command was stopped after ${Math.round(timeoutMs / 1000)} s.\n${tail}`);
  if (exit.interrupted) return failTool('The run was interrupted while the tests ran.');
  if (exit.exitCode === 0) return succeedTool(`Tests passed (exit code 0). \`${command}\`\n${tail}`);
  const how = exit.exitCode === null ? `killed by ${exit.exitSignal}` : `exit code ${exit.exitCode}`;
  return succeedTool(`Tests FAILED (${how}). \`${command}\`\n${tail}`);
}

function formatTail(lines: string[], count: number): string {
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  const shown = lines.join('\n').slice(-MAX_TAIL_CHARS);
  return count > TAIL_LINES ? `[last ${TAIL_LINES} of ${count} lines]\n${shown}` : shown;
}
