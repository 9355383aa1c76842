import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import type { TextStreamFilter } from '../provider';
import type { ToolResult } from './tool-result';
import { failTool, succeedTool } from './tool-result';

const TAIL_LINES = 100;
const MAX_TAIL_CHARS = 20_000;
/** After SIGTERM, how long the test process group gets before SIGKILL. */
const KILL_GRACE_MS = 2000;

export interface RunLaneTestsOptions {
  /** The lane's declared test command, run by the shell. */
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal: AbortSignal;
  /**
   * One secret redactor per stream. The output is redacted as it arrives, before the tail is cut
   * from it: the tail goes to the model and the transcript, and a cut through a raw secret would
   * leave part of it in both.
   */
  redact?: () => TextStreamFilter;
}

/**
 * Runs the lane's test command and reports its exit code and the last lines of its output.
 * A red test run is a normal result (the model reads it and fixes the code); only a command
 * that could not run or had to be killed is an error.
 */
export function runLaneTests({ command, cwd, env, timeoutMs, signal, redact }: RunLaneTestsOptions): Promise<ToolResult> {
  if (!command.trim()) return Promise.resolve(failTool('This lane declares no test command.'));
  return new Promise((resolve) => {
    // Own process group, so a timeout or an abort ends the command's children (jest workers) too.
    const child = spawn(command, { cwd, env, shell: true, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let stopped: 'timeout' | 'aborted' | undefined;
    const append = (text: string) => {
      output += text;
      // Keep memory bounded on chatty suites: only the tail is ever shown.
      if (output.length > MAX_TAIL_CHARS * 4) output = output.slice(-MAX_TAIL_CHARS * 2);
    };
    // A chunk may end inside a UTF-8 character or a secret: each stream decodes and redacts on its own.
    const streams = [child.stdout, child.stderr].map((stream) => {
      const decoder = new StringDecoder('utf8');
      const redactor = redact?.();
      stream.on('data', (chunk: Buffer) => append(redactor ? redactor.push(decoder.write(chunk)) : decoder.write(chunk)));
      return () => {
        const rest = decoder.end();
        append(redactor ? redactor.push(rest) + redactor.end() : rest);
      };
    });
    const stop = (why: 'timeout' | 'aborted') => {
      stopped = why;
      killGroup(child.pid, 'SIGTERM');
      setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS).unref();
    };
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    const onAbort = () => stop('aborted');
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort);
    const done = (result: ToolResult) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(result);
    };
    child.on('error', (error) => done(failTool(`The test command could not start: ${error.message}`)));
    child.on('close', (code, exitSignal) => {
      for (const flush of streams) flush();
      const tail = tailLines(output);
      if (stopped === 'timeout') {
        done(failTool(`The test command was stopped after ${Math.round(timeoutMs / 1000)} s.\n${tail}`));
      } else if (stopped === 'aborted') {
        done(failTool('The run was interrupted while the tests ran.'));
      } else if (code === 0) {
        done(succeedTool(`Tests passed (exit code 0). \`${command}\`\n${tail}`));
      } else {
        const how = code === null ? `killed by ${exitSignal}` : `exit code ${code}`;
        done(succeedTool(`Tests FAILED (${how}). \`${command}\`\n${tail}`));
      }
    });
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function tailLines(output: string): string {
  const lines = output.replace(/\s+$/, '').split('\n');
  const shown = lines.slice(-TAIL_LINES).join('\n').slice(-MAX_TAIL_CHARS);
  return lines.length > TAIL_LINES ? `[last ${TAIL_LINES} of ${lines.length} lines]\n${shown}` : shown;
}
