import { LanesError } from '../errors';
import type { SandboxMode } from '../feature/feature-types';
import type { SandboxDetection, SandboxTools } from './detect-sandbox';

/** How the runner isolates a process: in bubblewrap with these tools, or not at all. */
export type SandboxIsolation = ({ kind: 'bwrap' } & SandboxTools) | { kind: 'none' };

export type SandboxDecision =
  | { run: 'sandboxed'; isolation: SandboxIsolation }
  /** `warning` is set when the plan asked for the sandbox (`auto`) and it is not there: say it once, before the run. */
  | { run: 'unsandboxed'; isolation: { kind: 'none' }; warning?: string }
  | { run: 'refused'; error: LanesError };

export interface DecideSandboxInput {
  setting: SandboxMode;
  detection: SandboxDetection;
  /** Who asked, for the messages: "feature export-feature", "lane backend". */
  where?: string;
}

/**
 * What a stage does with a plan's `sandbox` setting on this machine. `auto` runs sandboxed where
 * the sandbox works and says once, loudly, what is not enforced where it does not; `required`
 * refuses instead; `off` runs unsandboxed, as asked, without a warning.
 */
export function decideSandbox({ setting, detection, where }: DecideSandboxInput): SandboxDecision {
  if (setting === 'off') return { run: 'unsandboxed', isolation: { kind: 'none' } };
  if (detection.available) {
    return { run: 'sandboxed', isolation: { kind: 'bwrap', bwrapPath: detection.bwrapPath, socatPath: detection.socatPath } };
  }
  const whose = where ? ` (${where})` : '';
  if (setting === 'required') {
    return {
      run: 'refused',
      error: new LanesError(`"sandbox": "required"${whose}, and the OS sandbox is not available: ${detection.reason}.`, { hint: detection.hint }),
    };
  }
  return {
    run: 'unsandboxed',
    isolation: { kind: 'none' },
    warning:
      `Lane processes run WITHOUT the OS sandbox${whose}: ${detection.reason}. Nothing then stops an agent, a setup command or a ` +
      'test from writing outside its worktree (your .git and node_modules included), leaving processes running, or reaching the network. ' +
      `${detection.hint} Set "sandbox": "required" to refuse to run instead, or "off" to run unsandboxed without this warning.`,
  };
}
