import type { ScratchWorkspace } from '../e2e/utils/scratch-workspace';
import type { MessagesApiServer, ServerStats } from '../packages/nx-agent-lanes/src/replay/messages-api-server';
import type { ScriptedSession } from '../packages/nx-agent-lanes/src/replay/script-types';
import type { BenchRow } from './bench-table';
import { assertNxOk, planLanes, runNx, type BenchFeature } from './bench-workspace';
import { laneMarker, planLongSession } from './lane-sessions';

export const CACHE_FEATURE = 'cache-20';

/** A contract of ordinary length: a page of signatures and rules (about 700 tokens). */
function writeContract(): string {
  const lines = ['# Export contract', '', 'Every lane builds against these signatures and formats.', ''];
  for (let i = 1; i <= 30; i++) {
    lines.push(`- \`exportPart${i}(rows: Row[], options: ExportOptions): string\` returns CSV part ${i}, UTF-8, comma separated, header first.`);
  }
  return `${lines.join('\n')}\n`;
}

export function planCacheFeature(): BenchFeature {
  return { name: CACHE_FEATURE, lanes: planLanes(CACHE_FEATURE, 1), markerOf: laneMarker(CACHE_FEATURE), contract: writeContract() };
}

export function planCacheSessions(feature: BenchFeature): ScriptedSession[] {
  return [planLongSession(feature, feature.lanes[0])];
}

/**
 * The share of input tokens read from the prompt cache over one scripted 20-turn lane, run by
 * Nx through the anthropic provider, as the loopback server accounts them (it applies the
 * API's prefix rules: breakpoints, a minimum cacheable length, reads of earlier writes).
 */
export async function measurePromptCache(options: {
  ws: ScratchWorkspace;
  env: NodeJS.ProcessEnv;
  server: MessagesApiServer;
  feature: BenchFeature;
}): Promise<BenchRow[]> {
  const { ws, env, server, feature } = options;
  const before: ServerStats['usage'] = { ...server.stats().usage };
  const requestsBefore = server.stats().bySession[`${feature.name}/l1`] ?? 0;
  assertNxOk(await runNx({ root: ws.root, args: ['run', `${feature.name}:lane--l1`], env }), 'the 20-turn lane');
  const after = server.stats().usage;
  const delta = (key: keyof ServerStats['usage']) => after[key] - before[key];
  const read = delta('cache_read_input_tokens');
  const total = delta('input_tokens') + read + delta('cache_creation_input_tokens');
  const turns = (server.stats().bySession[`${feature.name}/l1`] ?? 0) - requestsBefore;
  const share = total ? read / total : 0;
  return [
    {
      measure: `prompt cache share of input tokens, ${turns}-turn lane`,
      figure: `${(share * 100).toFixed(1)}% (${read} of ${total} read from cache; ${delta('cache_creation_input_tokens')} written)`,
      goal: '>= 80%',
      pass: share >= 0.8,
    },
  ];
}
