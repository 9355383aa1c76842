import type { LaneResult } from '../layout';
import { planRunSummary } from './plan-run-summary';

const result = (lane: string, extra: Partial<LaneResult> = {}): LaneResult => ({
  feature: 'export', lane, status: 'done', provider: 'anthropic', baseCommit: 'abc', upstream: [], turns: 3,
  tokens: { input: 10, output: 5, cacheRead: 0, cacheWrite: 0 }, costUsd: 0.01, startedAt: '', endedAt: '', durationMs: 2000,
  filesChanged: [{ path: `${lane}.ts`, status: 'added' }] as LaneResult['filesChanged'], agentRuns: 1, startedFrom: 'fresh', ...extra,
});

describe('planRunSummary', () => {
  it('counts only the agents that ran in this command as spend, and names each blocker with its answer command', () => {
    const lines = planRunSummary([
      { feature: 'export', lane: 'backend', agentTask: 'local-cache', result: result('backend', { costUsd: 0.5 }) },
      { feature: 'export', lane: 'logic', agentTask: 'failure', result: result('logic', { status: 'blocked', question: 'UTC or local time?', costUsd: 0.02, turns: 2 }) },
      { feature: 'export', lane: 'web', agentTask: 'success', result: result('web'), verifyTask: 'failure', verify: { passed: false, reason: 'tests failed' } as never },
    ]);
    expect(lines[0]).toBe('nx-agent-lanes · export: 2 lanes ran, 1 from cache; this command spent $0.0300 over 5 turns');
    expect(lines).toContain('  ✔ backend  done (from cache), 1 file, 3 turns, $0.5000, 2.0s');
    expect(lines).toContain('  ? logic    BLOCKED: UTC or local time?');
    expect(lines).toContain('      answer: nx g nx-agent-lanes:answer export --lane logic --answer "..."');
    expect(lines.find((l) => l.includes('web'))).toContain('verify FAILED: tests failed');
  });

  it('says when a lane task left no result, and prints nothing without lanes', () => {
    expect(planRunSummary([{ feature: 'f', lane: 'a', agentTask: 'failure' }])[1]).toContain('no result.json');
    expect(planRunSummary([])).toEqual([]);
  });
});
