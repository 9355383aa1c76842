import type { Node } from 'jsonc-parser';
import { LIMIT_KEYS } from './feature-keys';
import type { OutputLimits, OutputLimitsInput } from './feature-types';
import { type Fields, type PlanContext, nameField, readObject, readPositiveNumber, reportProblem, valueOf } from './plan-context';

const MIB = 1024 * 1024;

/**
 * Output and transcript: far above what a working agent prints or a 40-turn session records (a
 * few MiB), far below the 100 MB floods that took gigabytes of memory and a 902 MB transcript
 * before there were caps. Patch files: a source file past 1 MiB is rare enough to be worth a
 * look; past 10 MiB it is a build output, a data set or a binary, and a 50 MB one made a 67 MB
 * lane.patch in 14 s, copied into the Nx cache, the lanes branch and the report.
 */
export const DEFAULT_LIMITS: Readonly<OutputLimits> = {
  outputBytes: 8 * MIB,
  transcriptBytes: 32 * MIB,
  patchFileWarnBytes: MIB,
  patchFileMaxBytes: 10 * MIB,
};

/** Room for the marker line that says what was dropped: a cap smaller than this could not hold it. */
export const MIN_LIMIT_BYTES = 1024;

/** The caps on what a run records, past which the rest is dropped with a marker line. */
const RECORD_KEYS: ReadonlySet<string> = new Set(['outputBytes', 'transcriptBytes']);

/** Reads `limits` at `where` (`limits` or `lanes.<name>.limits`); undefined when absent or not an object. */
export function readLimits(ctx: PlanContext, property: Node | undefined, where: string): OutputLimitsInput | undefined {
  const node = valueOf(property);
  if (!property || !node) return undefined;
  const fields = readObject(ctx, node, { where, known: LIMIT_KEYS, property });
  if (!fields) return undefined;
  const limits: OutputLimitsInput = {};
  for (const key of LIMIT_KEYS) {
    const value = readPositiveNumber(ctx, fields, key, { integer: true });
    if (value === undefined) continue;
    if (value < MIN_LIMIT_BYTES) {
      const why = RECORD_KEYS.has(key) ? ', to hold the line that says what was dropped' : '';
      reportProblem(
        ctx,
        valueOf(fields.props.get(key)),
        `\`${nameField(where, key)}\` is ${value} bytes; it must be at least ${MIN_LIMIT_BYTES}${why} ` +
          `(the default is ${DEFAULT_LIMITS[key] / MIB} MiB: \`${DEFAULT_LIMITS[key]}\`).`,
      );
      continue;
    }
    limits[key] = value;
  }
  checkPatchLimitOrder(ctx, fields, limits);
  return limits;
}

/** Both patch limits written in one `limits`: the warning must come before the refusal. */
function checkPatchLimitOrder(ctx: PlanContext, fields: Fields, limits: OutputLimitsInput): void {
  const { patchFileWarnBytes: warn, patchFileMaxBytes: max } = limits;
  if (warn === undefined || max === undefined || warn <= max) return;
  reportProblem(
    ctx,
    valueOf(fields.props.get('patchFileWarnBytes')),
    `\`${nameField(fields.where, 'patchFileWarnBytes')}\` (${warn}) is above \`${nameField(fields.where, 'patchFileMaxBytes')}\` (${max}): ` +
      `a file that size is refused before it could be warned about. Lower the warning limit, or raise the maximum.`,
  );
}

/**
 * A lane's limits: its own fields, else the feature's, else the defaults. A maximum set below an
 * inherited warning limit pulls the warning down with it, so writing only `patchFileMaxBytes`
 * is enough to lower both.
 */
export function resolveLimits(layers: { feature?: OutputLimitsInput; lane?: OutputLimitsInput }): OutputLimits {
  const pick = <K extends keyof OutputLimits>(key: K): number => layers.lane?.[key] ?? layers.feature?.[key] ?? DEFAULT_LIMITS[key];
  const patchFileMaxBytes = pick('patchFileMaxBytes');
  return {
    outputBytes: pick('outputBytes'),
    transcriptBytes: pick('transcriptBytes'),
    patchFileWarnBytes: Math.min(pick('patchFileWarnBytes'), patchFileMaxBytes),
    patchFileMaxBytes,
  };
}
