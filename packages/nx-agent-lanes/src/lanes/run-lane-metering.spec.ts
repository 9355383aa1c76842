import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_AGENT, createLaneRepo, disposeLaneRepo, inlineNodeCommand, testFeature, testLane } from '../__fixtures__/lane-fixture';
import { createCommandProvider } from '../agents/command/command-provider';
import type { AgentConfig } from '../feature/feature-types';
import { DEFAULT_PRICES, findModelPrice } from '../feature/default-agent';
import type { TestRepo } from '../git/create-test-repo';
import type { LaneResult } from '../layout';
import { PLACEHOLDER_API_KEY } from '../proxy';
import { startMessagesApiServer, type MessagesApiServer, type ServerStats } from '../replay/messages-api-server';
import { forgetSandboxDetection } from '../stage/sandbox-warning';
import { runLane } from './run-lane';

const REAL_KEY = 'fake-key-marker-metering-REAL-0123456789';
const MODEL = 'claude-sonnet-4-6';
const OUTPUT_TOKENS = 1000;

/** An upstream that keeps each request's headers, then hands the request to the replay server. */
interface RecordingUpstream {
  url: string;
  requests: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

async function startRecordingUpstream(replay: MessagesApiServer): Promise<RecordingUpstream> {
  const requests: RecordingUpstream['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers });
    const forwarded = request(`${replay.url}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * An agent that ignores every budget: it asks the Messages API `times` times at whatever
 * ANTHROPIC_BASE_URL and key it was given, printing each answer's status and error, and what
 * credentials its environment holds.
 */
function greedyAgent(times: number): string {
  return inlineNodeCommand(`
    (async () => {
      const credentials = ['ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN'].filter((n) => n in process.env);
      console.log('AGENT_KEY=' + process.env.ANTHROPIC_API_KEY + ' OTHER_CREDENTIALS=' + JSON.stringify(credentials));
      console.log('AGENT_BASE_URL=' + process.env.ANTHROPIC_BASE_URL);
      for (let i = 1; i <= ${times}; i++) {
        try {
          const res = await fetch(process.env.ANTHROPIC_BASE_URL + '/v1/messages', {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': process.env.ANTHROPIC_API_KEY },
            body: JSON.stringify({ model: '${MODEL}', max_tokens: 2048, system: 'Lane: metered', messages: [{ role: 'user', content: 'Write the export.' }] }),
          });
          const body = await res.json();
          console.log('REQUEST ' + i + ' ' + res.status + (body.error ? ' ' + body.error.message : ''));
        } catch (error) {
          console.log('REQUEST ' + i + ' failed ' + error.message);
        }
      }
    })();
  `);
}

/** What the replay server served, priced as the lane's model (no cache tokens in these requests). */
function priceServed(usage: ServerStats['usage']): number {
  const price = findModelPrice(DEFAULT_PRICES, MODEL)!;
  return (usage.input_tokens * price.input + usage.output_tokens * price.output) / 1e6;
}

describe('runLane: a command agent metered by the proxy', () => {
  let repo: TestRepo | undefined;
  let replay: MessagesApiServer;
  let upstream: RecordingUpstream;

  beforeEach(async () => {
    forgetSandboxDetection();
    replay = await startMessagesApiServer({
      script: { sessions: [{ name: 'metered', match: { contains: 'Lane: metered' }, turns: [{ content: [{ type: 'text', text: 'Export written.' }], usage: { output_tokens: OUTPUT_TOKENS } }] }] },
    });
    upstream = await startRecordingUpstream(replay);
  });
  afterEach(async () => {
    if (repo) disposeLaneRepo(repo);
    repo = undefined;
    await upstream.close();
    await replay.close();
    forgetSandboxDetection();
  });

  async function runMetered(agent: Partial<AgentConfig>): Promise<{ result: LaneResult; written: LaneResult; lines: string[]; root: string }> {
    const lane = testLane('logic', ['libs/export/**'], { agent: { ...TEST_AGENT, model: MODEL, ...agent } });
    const feature = testFeature([lane]);
    const made = createLaneRepo(feature);
    repo = made;
    const env: NodeJS.ProcessEnv = { ...process.env, ANTHROPIC_BASE_URL: upstream.url, ANTHROPIC_API_KEY: REAL_KEY };
    delete env.ANTHROPIC_AUTH_TOKEN;
    delete env.CLAUDE_CODE_OAUTH_TOKEN;
    const lines: string[] = [];
    const command = createCommandProvider({ killGraceMs: 500 });
    const result = await runLane({ workspaceRoot: made.root, feature, lane, providers: { command, anthropic: command }, env, log: (l) => lines.push(l) });
    const written = JSON.parse(readFileSync(join(made.root, 'dist/agent-lanes/f/logic/result.json'), 'utf8')) as LaneResult;
    return { result, written, lines, root: made.root };
  }

  const messageRequests = () => upstream.requests.filter((r) => r.method === 'POST' && r.url?.endsWith('/v1/messages'));

  it('gives the agent only the placeholder and the upstream only the real key, and stops the lane at maxTurns', async () => {
    const { result, written, lines, root } = await runMetered({ maxTurns: 3, budgetUsd: 5, command: greedyAgent(10) });

    expect(written).toEqual(result);
    expect(result.sandboxed).toBe(true);
    // The agent's side: the placeholder, a lane URL on the proxy, no other credential.
    expect(lines).toContain(`AGENT_KEY=${PLACEHOLDER_API_KEY} OTHER_CREDENTIALS=[]`);
    const baseUrl = lines.find((l) => l.startsWith('AGENT_BASE_URL='))!.slice('AGENT_BASE_URL='.length);
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/lane\//);
    expect(baseUrl.startsWith(upstream.url)).toBe(false);

    // The upstream's side: every request with the real key, never the placeholder.
    expect(messageRequests()).toHaveLength(3);
    for (const { headers } of upstream.requests) {
      expect(headers['x-api-key']).toBe(REAL_KEY);
      expect(JSON.stringify(headers)).not.toContain(PLACEHOLDER_API_KEY);
    }
    expect(replay.stats().bySession).toEqual({ metered: 3 });

    // Three answered, the fourth refused by the proxy itself; the agent's loop went on being refused.
    for (const i of [1, 2, 3]) expect(lines).toContain(`REQUEST ${i} 200`);
    expect(lines.find((l) => l.startsWith('REQUEST 4 '))).toMatch(/^REQUEST 4 400 nx-agent-lanes: lane logic reached its limit of 3 turns \(spent \$[\d.]+ over 3 requests\)$/);
    expect(lines.filter((l) => / 400 nx-agent-lanes: lane logic reached its limit/.test(l))).toHaveLength(7);

    const served = replay.stats().usage;
    expect(result).toMatchObject({
      status: 'over-budget',
      usageSource: 'proxy',
      turns: 3,
      tokens: { input: served.input_tokens, output: served.output_tokens, cacheRead: 0, cacheWrite: 0 },
    });
    expect(served.output_tokens).toBe(3 * OUTPUT_TOKENS);
    expect(result.costUsd).toBeCloseTo(priceServed(served), 6);
    expect(result.reason).toMatch(/^nx-agent-lanes: lane logic reached its limit of 3 turns/);
    expect(result.agentReported).toBeUndefined();
    expect(readFileSync(join(root, 'dist/agent-lanes/f/logic/transcript.jsonl'), 'utf8')).not.toContain(REAL_KEY);
  });

  it('stops the lane on its budget, overshooting by at most the one request admitted under it', async () => {
    // Each answer costs about 1000 output tokens at $15/M = $0.015: the third crosses $0.04, the fourth is refused.
    const budgetUsd = 0.04;
    const { result, lines } = await runMetered({ maxTurns: 40, budgetUsd, command: greedyAgent(10) });

    const served = replay.stats();
    const perRequest = priceServed(served.usage) / served.bySession.metered;
    expect(served.bySession.metered).toBe(3);
    expect(messageRequests()).toHaveLength(3);
    expect(result).toMatchObject({ status: 'over-budget', usageSource: 'proxy', turns: 3 });
    expect(result.costUsd).toBeCloseTo(priceServed(served.usage), 6);
    expect(result.costUsd).toBeGreaterThanOrEqual(budgetUsd);
    expect(result.costUsd - perRequest).toBeLessThan(budgetUsd);
    expect(result.reason).toMatch(/^nx-agent-lanes: lane logic reached its budget of \$0\.0400 \(spent \$0\.04\d+ over 3 requests\)/);
    expect(lines.find((l) => l.startsWith('REQUEST 4 '))).toMatch(/^REQUEST 4 400 nx-agent-lanes: lane logic reached its budget of \$0\.0400/);
  });

  it('reports no usage for an agent that makes no request and prints nothing', async () => {
    const { result, written } = await runMetered({ command: inlineNodeCommand('process.exit(0)') });
    expect(written).toEqual(result);
    expect(upstream.requests).toEqual([]);
    expect(result).toMatchObject({
      status: 'done',
      usageSource: 'none',
      turns: 0,
      costUsd: 0,
      tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    });
  });
});
