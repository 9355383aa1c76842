import type { LaneResult, VerifyResult } from '../layout';
import { formatDuration } from './format-figures';

/** One lane as the run-level hook saw it once every task of the `nx` command had ended. */
export interface RunSummaryLane {
  feature: string;
  lane: string;
  /** Nx's status of the lane's agent task (`success`, `failure`, `local-cache`, `remote-cache`, `skipped`, ...); undefined when the command did not include it. */
  agentTask?: string;
  /** Nx's status of the lane's verify task, when the command included it. */
  verifyTask?: string;
  result?: LaneResult;
  verify?: VerifyResult;
}

const CACHED = new Set(['local-cache', 'local-cache-kept-existing', 'remote-cache']);

/**
 * The lines printed below Nx's own output (and below the TUI, which hides task output once it
 * closes): per feature, what each lane came to, each blocker's question with the exact command
 * that answers it, and what this command spent. Only agents that ran in this command are
 * counted as spend: a cache hit costs nothing now.
 */
export function planRunSummary(lanes: readonly RunSummaryLane[]): string[] {
  const byFeature = new Map<string, RunSummaryLane[]>();
  for (const lane of lanes) byFeature.set(lane.feature, [...(byFeature.get(lane.feature) ?? []), lane]);
  const lines: string[] = [];
  for (const [feature, group] of byFeature) {
    const ran = group.filter((l) => l.agentTask !== undefined && !CACHED.has(l.agentTask) && l.agentTask !== 'skipped' && l.result);
    // A lane task adds one attempt: its last. A resumed lane's own figures include the attempt before its blocker.
    const now = ran.map((l) => l.result?.attempts?.at(-1) ?? l.result);
    const spent = now.reduce((sum, a) => sum + (a?.costUsd ?? 0), 0);
    const turns = now.reduce((sum, a) => sum + (a?.turns ?? 0), 0);
    const cached = group.filter((l) => l.agentTask !== undefined && CACHED.has(l.agentTask)).length;
    lines.push(
      `nx-agent-lanes · ${feature}: ${ran.length} lane${ran.length === 1 ? '' : 's'} ran, ${cached} from cache; ` +
        `this command spent $${spent.toFixed(4)} over ${turns} turn${turns === 1 ? '' : 's'}`,
    );
    const width = Math.max(...group.map((l) => l.lane.length));
    for (const lane of group) lines.push(...describeLane(lane, width));
  }
  return lines;
}

function describeLane(l: RunSummaryLane, width: number): string[] {
  const name = l.lane.padEnd(width);
  const from = l.agentTask && CACHED.has(l.agentTask) ? ' (from cache)' : '';
  const r = l.result;
  if (l.agentTask === 'skipped' || (!r && l.agentTask === undefined)) return [`  - ${name}  not run in this command`];
  if (!r) return [`  ✖ ${name}  no result.json: the agent task ${l.agentTask ?? 'did not run'}; see its output above`];
  const figures = `${r.turns} turn${r.turns === 1 ? '' : 's'}, $${r.costUsd.toFixed(4)}, ${formatDuration(r.durationMs)}`;
  switch (r.status) {
    case 'blocked':
      return [
        `  ? ${name}  BLOCKED${from}: ${r.question ?? '(no question given)'}`,
        `      answer: nx g nx-agent-lanes:answer ${r.feature} --lane ${r.lane} --answer "..."`,
      ];
    case 'done': {
      const verify = describeVerify(l);
      return [`  ${verify.ok ? '✔' : '✖'} ${name}  done${from}, ${r.filesChanged.length} file${r.filesChanged.length === 1 ? '' : 's'}, ${figures}${verify.text}`];
    }
    case 'over-budget':
      return [`  ✖ ${name}  OVER BUDGET${from}: ${r.reason ?? ''} (${figures})`];
    default:
      return [`  ✖ ${name}  FAILED${from}: ${r.reason ?? 'unknown reason'} (${figures})`];
  }
}

function describeVerify(l: RunSummaryLane): { ok: boolean; text: string } {
  if (l.verifyTask === undefined || l.verifyTask === 'skipped' || !l.verify) return { ok: true, text: '' };
  if (l.verify.passed) return { ok: true, text: '; verified' };
  return { ok: false, text: `; verify FAILED: ${l.verify.reason ?? 'see verify.json'}` };
}
