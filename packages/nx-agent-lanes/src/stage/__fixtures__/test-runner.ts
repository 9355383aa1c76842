import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecretValue } from '../../lanes/redact-secrets';
import { detectSandbox } from '../../sandbox';
import { createLaneProcessRunner, type LaneProcessRunner } from '../lane-process-runner';

/**
 * The lane process runner as a stage makes it, for unit tests of its callers: unsandboxed unless
 * `sandboxed` (then bubblewrap, which this machine must have), writable only `worktree`.
 */
export function createTestRunner(options: { worktree: string; scratch?: string; secrets?: SecretValue[]; sandboxed?: boolean }): LaneProcessRunner {
  let isolation: Parameters<typeof createLaneProcessRunner>[0]['isolation'] = { kind: 'none' };
  if (options.sandboxed) {
    const detection = detectSandbox();
    if (!detection.available) throw new Error(`the sandbox is not available here: ${detection.reason}. ${detection.hint}`);
    isolation = { kind: 'bwrap', bwrapPath: detection.bwrapPath, socatPath: detection.socatPath };
  }
  return createLaneProcessRunner({
    isolation,
    worktree: options.worktree,
    scratch: options.scratch ?? mkdtempSync(join(tmpdir(), 'lane-runner-scratch-')),
    repoRoot: options.worktree,
    secrets: options.secrets ?? [],
  });
}
