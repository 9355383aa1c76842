import type { Tree } from '@nx/devkit';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentError } from '../errors';
import { DEFAULT_PRICES } from '../feature/default-agent';
import type { AgentConfig } from '../feature/feature-types';
import type { PlanProblem } from '../errors';
import { buildLaneEnv, readUpstreamFromEnv, startMeteringProxy, type LaneMeter } from '../proxy';
import { formatTokens, formatUsd } from '../agents/anthropic/format-progress';
import { buildDecomposePrompt, buildRetryTask, describeProblemFor, describeReview } from './build-decompose-prompt';
import { checkProposal } from './check-proposal';
import type { Decomposer, Proposal, ProposalReview } from './decompose-types';
import { snapshotWorkspace } from './snapshot-workspace';

/** The name decompose goes by on the metering proxy. */
export const DECOMPOSE_METER = 'decompose';

export interface RunDecomposeOptions {
  tree: Tree;
  workspaceRoot: string;
  feature: string;
  directory: string;
  goal: string;
  lanes?: number;
  /** Proposals the agent may make (default 3). */
  rounds: number;
  agent: AgentConfig;
  decomposer: Decomposer;
  /** renderWorkspace's section of the prompt. */
  workspace: string;
  /** The environment nx runs in: where the key and ANTHROPIC_BASE_URL are read. */
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  signal?: AbortSignal;
  now?: () => number;
}

export interface DecomposeOutcome {
  accepted: boolean;
  /** The accepted proposal, else the last one made. */
  proposal?: Proposal;
  /** The last proposal's problems (none when accepted). */
  problems: PlanProblem[];
  rounds: number;
  /** Why no plan was accepted, for a person. */
  reason?: string;
  meter: LaneMeter;
  durationMs: number;
  /** The first round's prompt, kept with a rejected proposal. */
  prompt: string;
}

/**
 * Asks the decomposer for a plan, validates each proposal with the plugin's validator and hands
 * the problems back, up to `rounds` proposals. Every model request goes through the metering
 * proxy (the decomposer gets a placeholder key), so the budget and turn limit hold and the cost
 * shown is the meter's. Writes nothing: the caller writes an accepted plan through the Tree.
 */
export async function runDecompose(options: RunDecomposeOptions): Promise<DecomposeOutcome> {
  const { agent, decomposer, log } = options;
  const now = options.now ?? Date.now;
  const started = now();
  const upstream = readUpstreamFromEnv(options.env);
  if (decomposer.name !== 'command' && !upstream.apiKey && !upstream.authToken) {
    throw new AgentError(`decompose with the ${decomposer.name} provider needs an API key, and ANTHROPIC_API_KEY is not set.`, {
      hint: 'Set ANTHROPIC_API_KEY; or decompose with your own agent or script: --provider command --command "<your command>"; or point ANTHROPIC_BASE_URL at a replay server and set ANTHROPIC_API_KEY to any value.',
    });
  }
  const scratchDir = mkdtempSync(join(tmpdir(), `nx-agent-lanes-decompose-${options.feature}-`));
  const cleanUp = () => rmSync(scratchDir, { recursive: true, force: true });
  process.once('exit', cleanUp);
  const proxy = await startMeteringProxy({
    upstream: upstream.upstream,
    apiKey: upstream.apiKey,
    authToken: upstream.authToken,
    lanes: { [DECOMPOSE_METER]: { budgetUsd: agent.budgetUsd, maxTurns: agent.maxTurns, model: agent.model, prices: { ...DEFAULT_PRICES, ...agent.prices } } },
    // The tool loops log each turn themselves; a command's requests are seen only here.
    log: (line) => {
      if (decomposer.name === 'command') log(`api proxy: ${line}`);
    },
  });
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer = agent.timeoutMinutes > 0 ? setTimeout(() => ((timedOut = true), abort.abort()), Math.min(agent.timeoutMinutes * 60_000, 2 ** 31 - 1)) : undefined;

  let last: { proposal: Proposal; review: ProposalReview } | undefined;
  let round = 0;
  const prompt = buildDecomposePrompt({ ...options, howToPropose: decomposer.howToPropose });
  try {
    const snapshot = snapshotWorkspace(options.workspaceRoot, scratchDir);
    log(
      `asking the ${decomposer.name} agent (${agent.model}) for a plan of ${options.feature}: up to ${options.rounds} proposals, ` +
        `${formatUsd(agent.budgetUsd)} and ${agent.maxTurns} turns at most; it reads ${snapshot.commit ? `commit ${snapshot.commit.slice(0, 10)}` : 'the workspace folder (no commit yet)'}`,
    );
    const review = async (proposal: Proposal): Promise<ProposalReview> => {
      round++;
      const problems = round > options.rounds ? [] : await checkProposal({ tree: options.tree, feature: options.feature, directory: options.directory, proposal, lanes: options.lanes });
      const base = { accepted: round <= options.rounds && problems.length === 0, problems, round, roundsLeft: Math.max(0, options.rounds - round) };
      const done: ProposalReview = { ...base, feedback: describeReview(options.directory, base) };
      if (round > options.rounds) return { ...done, feedback: 'No round is left: stop now.' };
      last = { proposal, review: done };
      if (done.accepted) log(`proposal ${round}/${options.rounds}: the validator accepted it (${countLanes(proposal)} lanes)`);
      else {
        log(`proposal ${round}/${options.rounds}: ${problems.length} problem${problems.length === 1 ? '' : 's'}${done.roundsLeft ? ', sent back to the agent' : ''}`);
        for (const p of problems) log(`  ${describeProblemFor(options.directory, p)}`);
      }
      return done;
    };
    const result = await decomposer.propose({
      feature: options.feature,
      system: prompt.system,
      task: prompt.task,
      readRoot: snapshot.root,
      workspaceRoot: options.workspaceRoot,
      agent,
      env: buildLaneEnv(options.env, { baseUrl: proxy.urlFor(DECOMPOSE_METER) }),
      signal: abort.signal,
      log,
      scratchDir,
      meter: () => proxy.meter(DECOMPOSE_METER),
      review,
      retryPrompt: (r, p) => buildRetryTask(prompt.task, r, p),
    });
    const meter = proxy.meter(DECOMPOSE_METER);
    const accepted = last?.review.accepted === true;
    const reason = accepted
      ? undefined
      : meter.stopped
        ? `stopped by its limit: ${meter.stopped.message}`
        : timedOut
          ? `timed out after ${agent.timeoutMinutes} minutes`
          : options.signal?.aborted
            ? 'interrupted'
            : result.status !== 'finished'
              ? (result.reason ?? `the agent ${result.status === 'over-budget' ? 'went over budget' : 'failed'}`)
              : last
                ? `no proposal passed the validator in ${last.review.round} round${last.review.round === 1 ? '' : 's'}`
                : 'the agent made no proposal';
    const outcome: DecomposeOutcome = {
      accepted,
      ...(last ? { proposal: last.proposal } : {}),
      problems: last?.review.problems ?? [],
      rounds: Math.min(round, options.rounds),
      ...(reason ? { reason } : {}),
      meter,
      durationMs: now() - started,
      prompt: `${prompt.system}\n\n${prompt.task}`,
    };
    log(describeOutcome(outcome, agent));
    return outcome;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    await proxy.close();
    cleanUp();
    process.removeListener('exit', cleanUp);
  }
}

function countLanes(proposal: Proposal): number {
  return Object.keys(proposal.files).filter((p) => p.startsWith('lanes/')).length;
}

/** `decompose: accepted in 2 proposals · 5 turns · in 31.2k (from cache 80%) out 2.1k · $0.0420 of $1.00 · 12.3 s`. */
export function describeOutcome(outcome: Pick<DecomposeOutcome, 'accepted' | 'rounds' | 'meter' | 'durationMs' | 'reason'>, agent: Pick<AgentConfig, 'budgetUsd'>): string {
  const { usage, turns, costUsd } = outcome.meter;
  const input = usage.input + usage.cacheRead + usage.cacheWrite;
  const share = input > 0 ? Math.round((usage.cacheRead / input) * 100) : 0;
  return [
    `decompose: ${outcome.accepted ? `accepted after ${outcome.rounds} proposal${outcome.rounds === 1 ? '' : 's'}` : `no plan (${outcome.reason})`}`,
    `${turns} turn${turns === 1 ? '' : 's'}`,
    `in ${formatTokens(input)} (from cache ${share}%) out ${formatTokens(usage.output)}`,
    `${formatUsd(costUsd)} of ${formatUsd(agent.budgetUsd)}`,
    `${(outcome.durationMs / 1000).toFixed(1)} s`,
  ].join(' · ');
}
