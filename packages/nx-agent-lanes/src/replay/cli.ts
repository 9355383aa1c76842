#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeError, LanesError } from '../errors';
import { loadReplayScript } from './load-replay-script';
import { startMessagesApiServer } from './messages-api-server';
import { startRecordingProxy } from './record-session';

const USAGE = `Usage:
  nx-agent-lanes-replay serve  --script FILE [--port N] [--host H] [--latency MS]
      Replays FILE as the Anthropic Messages API until stopped.
  nx-agent-lanes-replay record --upstream URL --out FILE [--port N] [--host H]
      Forwards to URL (e.g. https://api.anthropic.com) and saves what it sees to FILE as a replay
      script. ANTHROPIC_API_KEY, when set, is sent upstream in place of the client's key; no key is saved.
Both print ANTHROPIC_BASE_URL=... for the agent to use.`;

export interface ReplayCliOptions {
  argv: string[];
  env?: NodeJS.ProcessEnv;
  /** Where output lines go; default stdout. */
  write?: (line: string) => void;
  /** Where errors go; default stderr. */
  writeError?: (line: string) => void;
  /** Stops the server; the promise then resolves. Default: never (the caller kills the process). */
  signal?: AbortSignal;
}

function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
}

function readPort(value: string | undefined): number {
  const port = value === undefined ? 0 : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new LanesError(`--port must be 0 to 65535, got "${value}".`);
  return port;
}

function parseCliArgs(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        script: { type: 'string' },
        upstream: { type: 'string' },
        out: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        latency: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (cause) {
    throw new LanesError((cause as Error).message, { hint: USAGE, cause });
  }
}

/** Runs `serve` or `record` until `signal` aborts; resolves with the exit code. */
export async function runReplayCli(options: ReplayCliOptions): Promise<number> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const writeError = options.writeError ?? ((line: string) => process.stderr.write(`${line}\n`));
  const env = options.env ?? process.env;
  try {
    const { positionals, values } = parseCliArgs(options.argv);
    const [command] = positionals;
    if (values.help || command === undefined) {
      write(USAGE);
      return values.help ? 0 : 1;
    }
    const common = { port: readPort(values.port), host: values.host };
    if (command === 'serve') {
      if (!values.script) throw new LanesError('serve needs --script FILE.', { hint: USAGE });
      const latencyMs = values.latency === undefined ? undefined : Number(values.latency);
      if (latencyMs !== undefined && !(latencyMs >= 0)) throw new LanesError(`--latency must be milliseconds, got "${values.latency}".`);
      const server = await startMessagesApiServer({ script: loadReplayScript(values.script), latencyMs, ...common });
      write(`ANTHROPIC_BASE_URL=${server.url}`);
      await untilAborted(options.signal);
      await server.close();
      return 0;
    }
    if (command === 'record') {
      const { upstream, out } = values;
      if (!upstream || !out) throw new LanesError('record needs --upstream URL and --out FILE.', { hint: USAGE });
      const save = () => writeFileSync(out, JSON.stringify(proxy.toReplayScript(), null, 2) + '\n');
      // Saved after every exchange, so stopping the recorder at any moment loses nothing.
      const proxy = await startRecordingProxy({ upstream, apiKey: env.ANTHROPIC_API_KEY || undefined, onSession: () => save(), ...common });
      write(`ANTHROPIC_BASE_URL=${proxy.url}`);
      await untilAborted(options.signal);
      await proxy.close();
      if (proxy.exchanges().length > 0) save();
      write(`Recorded ${proxy.exchanges().length} exchange(s) to ${out}.`);
      return 0;
    }
    throw new LanesError(`Unknown command "${command}".`, { hint: USAGE });
  } catch (error) {
    writeError(describeError(error));
    return 1;
  }
}

if (require.main === module) {
  const controller = new AbortController();
  let code = 0;
  const stop = (exitCode: number) => () => {
    code = exitCode;
    controller.abort();
  };
  process.once('SIGINT', stop(130));
  process.once('SIGTERM', stop(143));
  void runReplayCli({ argv: process.argv.slice(2), signal: controller.signal }).then((result) => {
    process.exitCode = result === 0 ? code : result;
  });
}
