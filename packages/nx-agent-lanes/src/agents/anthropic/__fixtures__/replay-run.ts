import Anthropic from '@anthropic-ai/sdk';
import { startMessagesApiServer, type MessagesApiServer, type MessagesApiServerOptions } from '../../../replay/messages-api-server';
import type { FaultRule, ScriptedResponse } from '../../../replay/script-types';
import type { AgentRunResult } from '../../provider';
import { createAnthropicProvider, type AnthropicProviderDeps } from '../anthropic-provider';
import { buildRunInput, type Recorder, type RunInputOptions } from './lane-fixture';

/** A distinctive key, so a test can assert it never reaches a log line or the transcript. */
export const TEST_API_KEY = 'sk-test-KEY-must-not-leak-0042';

const servers: MessagesApiServer[] = [];

export async function closeServers(): Promise<void> {
  await Promise.all(servers.splice(0).map((server) => server.close()));
}

export interface ReplayRunOptions extends Omit<RunInputOptions, 'worktree' | 'scenario'> {
  worktree: string;
  /** The task's marker; default a fresh one. A resumed run reuses the blocked run's. */
  scenario?: string;
  /** The scripted turns of this scenario's one session. */
  turns: ScriptedResponse[];
  faults?: Array<Omit<FaultRule, 'session'>>;
  server?: Partial<MessagesApiServerOptions>;
  deps?: AnthropicProviderDeps;
}

export interface ReplayRun {
  result: AgentRunResult;
  recorder: Recorder;
  server: MessagesApiServer;
  sleeps: number[];
}

let scenarioCount = 0;

/** Runs the anthropic provider, with the real SDK, against a loopback server replaying `turns`. */
export async function runReplay(options: ReplayRunOptions): Promise<ReplayRun> {
  const scenario = options.scenario ?? `scenario-${++scenarioCount}`;
  const server = await startMessagesApiServer({
    script: { sessions: [{ name: scenario, match: { contains: `SCENARIO: ${scenario}` }, turns: options.turns }] },
    faults: options.faults?.map((fault) => ({ ...fault, session: scenario })),
    ...options.server,
  });
  servers.push(server);
  const sleeps: number[] = [];
  const provider = createAnthropicProvider({
    client: new Anthropic({ apiKey: TEST_API_KEY, baseURL: server.url, maxRetries: 2 }),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options.deps,
  });
  const { input, recorder } = buildRunInput({ ...options, scenario });
  const result = await provider.run(input);
  return { result, recorder, server, sleeps };
}

export const tool = (name: string, input: unknown) => ({ type: 'tool_use' as const, name, input });
export const text = (t: string) => ({ type: 'text' as const, text: t });

/** A small lane: write a module and its test, see the test fail, fix, see it pass, finish. */
export const SUM_TEST = "const sum = require('./sum');\nif (sum(2, 3) !== 5) { console.error('expected 5, got ' + sum(2, 3)); process.exit(1); }\nconsole.log('ok');\n";
export const SUM_TURNS: ScriptedResponse[] = [
  { content: [text('Writing the module and its test.'), tool('write_file', { path: 'src/sum.js', content: 'module.exports = (a, b) => a - b;\n' }), tool('write_file', { path: 'src/sum.test.js', content: SUM_TEST })] },
  { content: [tool('run_tests', {})] },
  { content: [tool('edit_file', { path: 'src/sum.js', old_text: 'a - b', new_text: 'a + b' }), tool('read_file', { path: 'src/sum.js' })] },
  { content: [tool('run_tests', {})] },
  { content: [text('All green.'), tool('finish', { summary: 'Added src/sum.js with its test.' })] },
];
export const SUM_TEST_COMMAND = 'node src/sum.test.js';
