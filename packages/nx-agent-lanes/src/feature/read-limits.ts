import type { Node } from 'jsonc-parser';
import { LIMIT_KEYS } from './feature-keys';
import type { OutputLimits, OutputLimitsInput } from './feature-types';
import { type PlanContext, nameField, readObject, readPositiveNumber, reportProblem, valueOf } from './plan-context';

const MIB = 1024 * 1024;

/**
 * Far above what a working agent prints or a 40-turn session records (a few MiB), far below
 * the 100 MB floods that took gigabytes of memory and a 902 MB transcript before there were caps.
 */
export const DEFAULT_LIMITS: Readonly<OutputLimits> = { outputBytes: 8 * MIB, transcriptBytes: 32 * MIB };

/** Room for the marker line that says what was dropped: a cap smaller than this could not hold it. */
export const MIN_LIMIT_BYTES = 1024;

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
      reportProblem(
        ctx,
        valueOf(fields.props.get(key)),
        `\`${nameField(where, key)}\` is ${value} bytes; it must be at least ${MIN_LIMIT_BYTES}, to hold the line that says what was dropped ` +
          `(the default is ${DEFAULT_LIMITS[key] / MIB} MiB: \`${DEFAULT_LIMITS[key]}\`).`,
      );
      continue;
    }
    limits[key] = value;
  }
  return limits;
}

/** A lane's limits: its own fields, else the feature's, else the defaults. */
export function resolveLimits(layers: { feature?: OutputLimitsInput; lane?: OutputLimitsInput }): OutputLimits {
  return {
    outputBytes: layers.lane?.outputBytes ?? layers.feature?.outputBytes ?? DEFAULT_LIMITS.outputBytes,
    transcriptBytes: layers.lane?.transcriptBytes ?? layers.feature?.transcriptBytes ?? DEFAULT_LIMITS.transcriptBytes,
  };
}
