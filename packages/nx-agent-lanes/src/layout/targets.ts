/*
 * Names of the targets a feature project gets. `--` because `nx run a:b:c` reads a colon as a
 * configuration; the names also name the locks and appear in every hint that says what to run.
 */

export const laneTarget = (lane: string) => `lane--${lane}`;
export const verifyTarget = (lane: string) => `verify--${lane}`;
export const INTEGRATE_TARGET = 'integrate';
export const CLEAN_TARGET = 'clean-lanes';

/** True for a `verify--<lane>` target: the lane hasher hashes those differently from lane targets. */
export function isVerifyTarget(target: string): boolean {
  return target.startsWith(verifyTarget(''));
}
