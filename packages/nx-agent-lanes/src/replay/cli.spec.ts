import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { runReplayCli } from './cli';
import { loadReplayScript } from './load-replay-script';
import { startMessagesApiServer } from './messages-api-server';
import type { ReplayScript } from './script-types';

const script: ReplayScript = {
  sessions: [{ name: 'docs', match: { contains: 'Lane: docs' }, turns: [{ content: [{ type: 'text', text: 'Docs done.' }] }] }],
};
const params = {
  model: 'claude-haiku-4-5',
  max_tokens: 64,
  system: 'Lane: docs',
  messages: [{ role: 'user' as const, content: 'Write the docs.' }],
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'replay-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the CLI in-process and resolves once it printed its base URL. */
async function startCli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const controller = new AbortController();
  const lines: string[] = [];
  const errors: string[] = [];
  let announced: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => (announced = resolve));
  const done = runReplayCli({
    argv,
    env,
    signal: controller.signal,
    write: (line) => {
      lines.push(line);
      if (line.startsWith('ANTHROPIC_BASE_URL=')) announced(line.slice('ANTHROPIC_BASE_URL='.length));
    },
    writeError: (line) => errors.push(line),
  });
  const first = await Promise.race([url, done.then((code) => `exited ${code}: ${errors.join('\n')}`)]);
  return { url: first, lines, errors, stop: () => (controller.abort(), done) };
}

describe('runReplayCli', () => {
  it('serves a script file and stops on its signal', async () => {
    const file = join(dir, 'script.json');
    writeFileSync(file, JSON.stringify(script));
    const cli = await startCli(['serve', '--script', file]);
    expect(cli.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const message = await new Anthropic({ apiKey: 'k', baseURL: cli.url, maxRetries: 0 }).messages.create(params);
    expect(message.content).toEqual([{ type: 'text', text: 'Docs done.', citations: null }]);
    expect(await cli.stop()).toBe(0);
  });

  it('records through a proxy into a replayable file without the key', async () => {
    const upstream = await startMessagesApiServer({ script });
    const out = join(dir, 'recorded.json');
    try {
      const cli = await startCli(['record', '--upstream', upstream.url, '--out', out], { ANTHROPIC_API_KEY: 'sk-upstream-key' });
      await new Anthropic({ apiKey: 'dummy-client-key', baseURL: cli.url, maxRetries: 0 }).messages.create(params);
      // Saved as it goes, before the recorder stops.
      expect(loadReplayScript(out).sessions[0].turns).toEqual([{ content: [{ type: 'text', text: 'Docs done.' }], stop_reason: 'end_turn', usage: { output_tokens: 3 } }]);
      expect(await cli.stop()).toBe(0);
      expect(cli.lines).toContain(`Recorded 1 exchange(s) to ${out}.`);
      const text = readFileSync(out, 'utf8');
      expect(text).not.toContain('sk-upstream-key');
      expect(text).not.toContain('dummy-client-key');
    } finally {
      await upstream.close();
    }
  });

  it('explains bad usage and a broken script, with exit code 1', async () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{\n  "sessions": [\n    { "name": "a", "match": {}, "turns": [{ "content": [{ "type": "image" }] }] }\n  ]\n}\n');
    const cases: Array<[string[], RegExp]> = [
      [['serve'], /serve needs --script FILE/],
      [['serve', '--script', broken], /broken\.json:3:67: A content block's "type" must be "text", "thinking" or "tool_use"/],
      [['serve', '--nope'], /Unknown option '--nope'/],
      [['frobnicate'], /Unknown command "frobnicate"/],
      [['serve', '--script', broken, '--port', 'x'], /--port must be 0 to 65535/],
    ];
    for (const [argv, expected] of cases) {
      const errors: string[] = [];
      expect(await runReplayCli({ argv, write: () => undefined, writeError: (l) => errors.push(l) })).toBe(1);
      expect(errors.join('\n')).toMatch(expected);
    }
  });

  it('runs as a program, prints its URL and exits 143 on SIGTERM', async () => {
    const file = join(dir, 'script.json');
    writeFileSync(file, JSON.stringify(script));
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, 'cli.ts'), 'serve', '--script', file], {
      cwd: join(__dirname, '../../../..'),
      env: { ...process.env, TS_NODE_PROJECT: join(__dirname, '../../tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let output = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('\n')) resolve();
      });
      child.on('exit', () => reject(new Error(`cli exited early: ${output}`)));
    });
    expect(output).toMatch(/^ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:\d+\n$/);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
  });
});
