import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Feature, SandboxConfig } from '../feature/feature-types';
import { createLaneWorktree, releaseLaneWorktree, type LaneWorktree } from '../git/lane-worktree';
import type { WorktreeKind } from '../git/worktree-list';
import { readPoolSize } from '../git/worktree-pool';
import { findRepoRoot } from '../git/repo';
import { resolveRevision } from '../git/tree-blobs';
import { acquireLaneLock, type LaneLock } from '../lanes/lane-lock';
import { pruneWithRescue } from '../lanes/prune-with-rescue';
import { collectSecrets, redactSecrets, type SecretValue } from '../lanes/redact-secrets';
import { CREDENTIAL_ENV } from '../proxy/build-lane-env';
import { decideSandbox, type SandboxDecision } from '../sandbox';
import { createLaneProcessRunner, type LaneProcessRunner } from './lane-process-runner';
import { detectSandboxOnce, warnOncePerRun } from './sandbox-warning';

export interface StageOptions {
  workspaceRoot: string;
  feature: Feature;
  /** The task's lock name: `lane--x`, `verify--x`, `integrate`. One run of it at a time per repository. */
  task: string;
  /** The lane's sandbox (integrate: the feature's). */
  sandbox: SandboxConfig;
  /** Whose processes, for messages: "lane backend", "integrate". */
  where: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface Stage {
  repoRoot: string;
  /** The workspace's folder inside the repository ('' at its root), with forward slashes. */
  workspaceInRepo: string;
  /** The environment `nx` runs in: only the metering proxy reads its credentials. */
  env: NodeJS.ProcessEnv;
  /** `env` without any credential: what setup, tests and the integration test get. */
  keylessEnv: NodeJS.ProcessEnv;
  secrets: SecretValue[];
  /** Logs a line with every secret redacted. */
  log: (line: string) => void;
  signal: AbortSignal;
  lock: LaneLock;
  sandbox: SandboxConfig;
  /** Whether this stage's processes run in the OS sandbox. */
  sandboxed: boolean;
  /** The feature's base commit now. */
  resolveBase(): Promise<{ commit: string; tree: string }>;
  /**
   * A worktree at the base, as fresh as a new checkout, with its scratch folder. When the stage
   * ends the scratch folder is removed and the worktree, unless kept, goes back to the pool
   * (sandboxed stages only) or is removed.
   */
  openWorktree(options: OpenWorktreeOptions): Promise<StageWorktree>;
}

export interface OpenWorktreeOptions {
  /** Names the worktree and its branch: the lane, `verify-<lane>`, `integration`. */
  name: string;
  kind?: WorktreeKind;
  baseCommit: string;
  patches?: Array<{ patch: string; message: string }>;
  linkNodeModules?: boolean;
}

export interface StageWorktree extends LaneWorktree {
  /** The workspace inside the worktree: where the agent, setup and tests run. */
  cwd: string;
  /** Private to this worktree's processes, outside the worktree: HOME, TMPDIR, prompt and blocker files. */
  scratch: string;
  /** The runner of this worktree's processes; `apiProxyPort` lets them reach the metering proxy. */
  runner(network?: { apiProxyPort?: number }): LaneProcessRunner;
  /** Leaves the worktree and its branch in place when the stage ends (work that could not be saved). */
  keep(): void;
}

/**
 * The one routine around every stage that runs lane-controlled code (a lane's agent, its verify,
 * integrate): the task's lock, a log that redacts secrets, the sandbox decision (refused before
 * anything runs when `required` cannot be met, one warning per run when `auto` falls back), what
 * killed runs left cleaned up, worktrees and scratch folders made for the stage and released after
 * it, whatever happens.
 */
export async function runStage<T>(options: StageOptions, body: (stage: Stage) => Promise<T>): Promise<T> {
  const repoRoot = await findRepoRoot(options.workspaceRoot);
  const lock = await acquireLaneLock({ repoRoot, feature: options.feature.name, name: options.task });
  const opened: Array<{ worktree: StageWorktree; kept: () => boolean }> = [];
  // Outside the OS sandbox a process the lane started may live on and write into the next lane's worktree.
  let reusable = false;
  try {
    const env = options.env ?? process.env;
    const secrets = collectSecrets(env, options.feature.secrets);
    const log = (line: string) => options.log?.(redactSecrets(line, secrets));
    const decision = decideSandbox({ setting: options.sandbox.mode, detection: detectSandboxOnce(), where: options.where });
    reusable = decision.run === 'sandboxed';
    if (decision.run === 'unsandboxed' && decision.warning) await warnOncePerRun({ repoRoot, warning: decision.warning, env, log });
    for (const line of await pruneWithRescue({ repoRoot, workspaceRoot: options.workspaceRoot })) log(line);
    const workspaceInRepo = relative(repoRoot, options.workspaceRoot).split('\\').join('/');

    const stage: Stage = {
      repoRoot,
      workspaceInRepo,
      env,
      keylessEnv: withoutCredentials(env),
      secrets,
      log,
      signal: options.signal ?? new AbortController().signal,
      lock,
      sandbox: options.sandbox,
      sandboxed: decision.run === 'sandboxed',
      resolveBase: () => resolveRevision(options.workspaceRoot, options.feature.base ?? 'HEAD'),
      openWorktree: async (open) => {
        const isolation = isolationOf(decision);
        const made = await createLaneWorktree({
          repoRoot,
          feature: options.feature.name,
          lane: open.name,
          kind: open.kind,
          baseCommit: open.baseCommit,
          patches: open.patches,
          linkNodeModules: open.linkNodeModules,
          poolSize: readPoolSize(env),
        });
        let kept = false;
        const scratch = mkdtempSync(join(tmpdir(), `nx-agent-lanes-${open.name}-`));
        const worktree: StageWorktree = {
          ...made,
          cwd: join(made.path, workspaceInRepo),
          scratch,
          runner: (network) =>
            createLaneProcessRunner({
              isolation,
              worktree: made.path,
              scratch,
              repoRoot,
              secrets,
              network: {
                ...(network?.apiProxyPort ? { apiProxy: { port: network.apiProxyPort } } : {}),
                allowHosts: options.sandbox.allowHosts,
              },
            }),
          keep: () => {
            kept = true;
          },
        };
        opened.push({ worktree, kept: () => kept });
        return worktree;
      },
    };
    return await body(stage);
  } finally {
    try {
      for (const { worktree, kept } of opened.reverse()) {
        rmSync(worktree.scratch, { recursive: true, force: true });
        if (!kept()) {
          const released = await releaseLaneWorktree(worktree, { reuse: reusable });
          if (released.why) options.log?.(`removed worktree ${worktree.path} instead of reusing it: ${released.why}`);
        } else options.log?.(`kept worktree ${worktree.path} (branch ${worktree.branch})`);
      }
    } finally {
      lock.release();
    }
  }
}

/** A refused sandbox stops the stage at its first worktree, so the refusal lands where the stage records failures. */
function isolationOf(decision: SandboxDecision) {
  if (decision.run === 'refused') throw decision.error;
  return decision.isolation;
}

/** The environment without any credential the SDK, Claude Code or a CLI would send. */
export function withoutCredentials(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of CREDENTIAL_ENV) delete out[name];
  return out;
}
