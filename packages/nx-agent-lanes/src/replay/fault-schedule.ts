import type { FaultRule } from './script-types';

/** Which fault (if any) hits the next request; each rule fires `times` times, then is spent. */
export interface FaultSchedule {
  /** The first live rule for this request, counted as used; undefined when none applies. */
  take(request: { session?: string; turnIndex: number; stream: boolean }): FaultRule | undefined;
  /** Makes every rule live again with its full `times`. */
  reset(): void;
}

export function appliesTo(rule: FaultRule, request: { session?: string; turnIndex: number; stream: boolean }): boolean {
  if (rule.session !== undefined && rule.session !== request.session) return false;
  if (rule.turn !== undefined && rule.turn !== request.turnIndex) return false;
  // An SSE error needs an SSE response to be sent in; a non-streaming request passes untouched.
  if (rule.kind === 'mid-stream-error' && !request.stream) return false;
  return true;
}

export function createFaultSchedule(rules: readonly FaultRule[]): FaultSchedule {
  let left = rules.map((rule) => rule.times ?? 1);
  return {
    take(request) {
      const index = rules.findIndex((rule, i) => left[i] > 0 && appliesTo(rule, request));
      if (index < 0) return undefined;
      left[index]--;
      return rules[index];
    },
    reset() {
      left = rules.map((rule) => rule.times ?? 1);
    },
  };
}
