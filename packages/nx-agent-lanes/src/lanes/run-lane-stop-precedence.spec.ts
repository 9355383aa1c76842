import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_AGENT, createLaneRepo, disposeLaneRepo, inlineNodeCommand, testFeature, testLane } from '../__fixtures__/lane-fixture';
import { createCommandProvider } from '../agents/command/command-provider';
import { startMessagesApiServer } from '../replay/messages-api-server';
import { runLane } from './run-lane';

it('a lane stopped by the proxy whose patch withheld a secret file still fails (not over-budget)', async () => {
  const replay = await startMessagesApiServer({ script: { sessions: [{ name: 's', match: {}, turns: [{ content: [{ type: 'text', text: 'ok' }] }] }] } });
  const agent = inlineNodeCommand(`
    (async () => {
      require('fs').mkdirSync('libs/export', { recursive: true });
      require('fs').writeFileSync('libs/export/config.ts', 'export const token = ' + JSON.stringify(process.env.EXPORT_TOKEN) + ';\\n');
      for (let i = 0; i < 3; i++) await fetch(process.env.ANTHROPIC_BASE_URL + '/v1/messages', { method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': process.env.ANTHROPIC_API_KEY },
        body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user', content: 'go' }] }) });
    })();
  `);
  const lane = testLane('logic', ['libs/export/**'], { agent: { ...TEST_AGENT, maxTurns: 1, command: agent } });
  const feature = testFeature([lane], { secrets: ['EXPORT_TOKEN'] });
  const repo = createLaneRepo(feature);
  try {
    const command = createCommandProvider();
    const env = { ...process.env, ANTHROPIC_BASE_URL: replay.url, ANTHROPIC_API_KEY: 'fake-key-marker-demo-0123456789', EXPORT_TOKEN: 'tok-marker-demo-abcdefgh' };
    const result = await runLane({ workspaceRoot: repo.root, feature, lane, providers: { command, anthropic: command }, env });
    expect(readFileSync(join(repo.root, 'dist/agent-lanes/f/logic/lane.patch'), 'utf8')).not.toContain('tok-marker');
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(/^the agent wrote a secret value into libs\/export\/config\.ts/);
  } finally {
    disposeLaneRepo(repo);
    await replay.close();
  }
});
