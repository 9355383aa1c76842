/**
 * Test support: a real git repository holding a feature plan, a literal Feature for it, and a
 * scripted provider that writes files into the lane's worktree, so runLane, verifyLane and
 * integrateFeature can be driven end to end without a model or Nx.
 */
import { mkdirSync, rmSync, unlinkSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AgentProviderImpl, AgentRunInput, AgentRunResult } from '../agents/provider';
import type { AgentConfig, Feature, Lane } from '../feature/feature-types';
import { DEFAULT_PRICES } from '../feature/default-agent';
import { DEFAULT_LIMITS } from '../feature/read-limits';
import { DEFAULT_SANDBOX } from '../feature/read-sandbox';
import { createTestRepo, type TestRepo } from '../git/create-test-repo';

export const TEST_AGENT: AgentConfig = {
  provider: 'command', model: 'claude-sonnet-4-6', maxTurns: 40, budgetUsd: 2, timeoutMinutes: 5, maxTokens: 8192, prices: DEFAULT_PRICES, command: 'true', claudeMd: false,
};

export function testLane(name: string, owns: string[], extra: Partial<Lane> = {}): Lane {
  return {
    sandbox: DEFAULT_SANDBOX,
    name, specPath: `features/f/lanes/${name}.md`, owns, forbids: [], test: 'true', after: [], agent: TEST_AGENT, risky: false, limits: DEFAULT_LIMITS, ...extra,
  };
}

export function testFeature(lanes: Lane[], extra: Partial<Feature> = {}): Feature {
  return {
    sandbox: DEFAULT_SANDBOX,
    name: 'f', root: 'features/f', file: 'features/f/feature.jsonc', goal: 'CSV export', contractPath: 'features/f/contract.md',
    agent: TEST_AGENT, lanes, integration: {}, review: { risky: [] }, secrets: [], limits: DEFAULT_LIMITS, ...extra,
  };
}

/** What a scripted agent does to its worktree: write (content) or delete (null) or rename ({ to }). */
export type FileEdits = Record<string, string | null | { renameTo: string }>;

export interface ScriptedLane {
  edits?: FileEdits;
  result?: Partial<AgentRunResult>;
  /** Called with the worktree path before the edits (e.g. to assert what upstream lanes left). */
  inspect?: (worktree: string) => void;
}

/** A provider that applies scripted edits per lane (by name), counting its runs. */
export function scriptedProvider(script: Record<string, ScriptedLane | ScriptedLane[]>): AgentProviderImpl & { runs: string[]; inputs: AgentRunInput[] } {
  const runs: string[] = [];
  const inputs: AgentRunInput[] = [];
  return {
    name: 'command',
    runs,
    inputs,
    async run(input) {
      const entry = script[input.lane];
      const step = Array.isArray(entry) ? entry[runs.filter((r) => r === input.lane).length] : entry;
      runs.push(input.lane);
      inputs.push(input);
      step?.inspect?.(input.worktree);
      for (const [path, edit] of Object.entries(step?.edits ?? {})) {
        const file = join(input.worktree, path);
        if (edit === null) unlinkSync(file);
        else if (typeof edit === 'object') {
          mkdirSync(dirname(join(input.worktree, edit.renameTo)), { recursive: true });
          renameSync(file, join(input.worktree, edit.renameTo));
        } else {
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, edit);
        }
      }
      return { status: 'done', turns: 1, usage: { input: 100, output: 10, cacheRead: 0, cacheWrite: 0 }, costUsd: 0.001, summary: `${input.lane} did its part`, ...step?.result };
    },
  };
}

/** A repository with the plan's spec and contract files and some app code, committed. */
export function createLaneRepo(feature: Feature, files: Record<string, string> = {}): TestRepo {
  const plan: Record<string, string> = {
    [feature.contractPath]: '# Contract\n',
    'features/f/feature.jsonc': '{}\n',
    ...Object.fromEntries(feature.lanes.map((l) => [l.specPath, `# ${l.name}\n`])),
  };
  const repo = createTestRepo({ 'README.md': '# app\n', '.gitignore': 'dist\n', ...plan, ...files });
  process.env.NX_AGENT_LANES_WORKTREES = join(repo.scratch, 'worktrees');
  return repo;
}

export function disposeLaneRepo(repo: TestRepo): void {
  delete process.env.NX_AGENT_LANES_WORKTREES;
  repo.cleanup();
  rmSync(join(repo.scratch, 'worktrees'), { recursive: true, force: true });
}

/** A fingerprint of the user's checkout: HEAD, branch, index bytes, status and every file. */
export function fingerprintCheckout(repo: TestRepo): string {
  return [
    repo.git(['rev-parse', 'HEAD']),
    repo.git(['symbolic-ref', '-q', 'HEAD']),
    repo.git(['status', '--porcelain=v2', '-uall']),
    repo.git(['ls-files', '-s']),
    repo.git(['diff']),
    repo.git(['stash', 'list']),
  ].join('\n--\n');
}

/**
 * A node script as a shell command line that carries the script itself: a lane's sandbox sees
 * neither /tmp nor the test's scratch folder, so a script file there would not be found.
 */
export function inlineNodeCommand(source: string): string {
  const encoded = Buffer.from(source).toString('base64');
  return `${JSON.stringify(process.execPath)} -e "eval(Buffer.from('${encoded}', 'base64').toString())"`;
}
