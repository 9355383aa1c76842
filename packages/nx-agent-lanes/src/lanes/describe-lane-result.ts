import type { LaneResult } from '../layout';
import { listPatchFileSizes } from './describe-patch-file-sizes';

/** The closing lines of a lane's task output, for a person. */
export function describeLaneResult(feature: string, r: LaneResult): string[] {
  const t = r.tokens;
  const figures =
    `${r.turns} turn${r.turns === 1 ? '' : 's'}, ${t.input + t.cacheRead + t.cacheWrite} tokens in ` +
    `(${t.cacheRead} from cache), ${t.output} out, $${r.costUsd.toFixed(4)}, ${(r.durationMs / 1000).toFixed(1)} s`;
  const files = `${r.filesChanged.length} file${r.filesChanged.length === 1 ? '' : 's'} changed`;
  const refused = r.sandboxRefusals?.length
    ? [`the sandbox refused what this lane's processes tried (sandboxRefusals in result.json), e.g.: ${r.sandboxRefusals[0]}`]
    : [];
  const large = r.patchWarnings?.length ? [`large files in lane.patch (patchWarnings in result.json): ${listPatchFileSizes(r.patchWarnings)}`] : [];
  switch (r.status) {
    case 'done':
      return [`done: ${files}; ${figures}`, ...(r.summary ? [`summary: ${r.summary}`] : []), ...large, ...refused];
    case 'blocked':
      return [
        `BLOCKED after ${figures}: ${r.question ?? '(no question given)'}`,
        `answer it with: nx g nx-agent-lanes:answer ${feature} --lane ${r.lane} --answer "..."`,
        `then run the same command again: only this lane reruns, the others come from cache.`,
      ];
    case 'over-budget':
      return [`OVER BUDGET: ${r.reason ?? ''}; ${files}; ${figures}`, `raise agent.budgetUsd or agent.maxTurns for this lane in feature.jsonc, or narrow its spec.`];
    default:
      return [`FAILED: ${r.reason ?? 'unknown reason'}; ${files} (kept in lane.patch); ${figures}`, ...large, ...refused];
  }
}
