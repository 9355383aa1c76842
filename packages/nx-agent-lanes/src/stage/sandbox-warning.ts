import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitCommonDir } from '../git/repo';
import { LANES_GIT_DIR } from '../layout/paths';
import { RUN_ID_ENV } from '../lanes/nx-invocation';
import { detectSandbox, type SandboxDetection } from '../sandbox';

let detected: SandboxDetection | undefined;

/** Whether the sandbox works here, probed once per process (the probe starts bwrap). */
export function detectSandboxOnce(): SandboxDetection {
  detected ??= detectSandbox();
  return detected;
}

/** For tests: probe again on the next call. */
export function forgetSandboxDetection(): void {
  detected = undefined;
}

const WARNED_FILE = 'sandbox-warned';

/**
 * `auto` without the sandbox is said once per `nx` command, in full, by the first stage that
 * meets it; every later stage of the same command says it in one line, so the warning stays
 * visible in each task's own output (Nx shows and caches them one by one) without repeating the
 * whole paragraph. Without a run id (the plugin called outside `nx`) every stage says it in full.
 */
export async function warnOncePerRun(options: {
  repoRoot: string;
  warning: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}): Promise<void> {
  const runId = options.env[RUN_ID_ENV];
  if (!runId) return options.log(`WARNING: ${options.warning}`);
  const dir = join(await gitCommonDir(options.repoRoot), LANES_GIT_DIR);
  const file = join(dir, WARNED_FILE);
  let last: string | undefined;
  try {
    last = readFileSync(file, 'utf8').trim();
  } catch {
    last = undefined;
  }
  if (last === runId) {
    options.log(`WARNING: running WITHOUT the OS sandbox ("sandbox": "auto" and it is not available here; the first task of this run said why).`);
    return;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, `${runId}\n`);
  options.log(`WARNING: ${options.warning}`);
}
