import { formatFiles, logger, type Tree } from '@nx/devkit';
import { LanesError } from '../../errors';
import { DEFAULT_AGENT } from '../../feature/default-agent';
import type { AgentConfig } from '../../feature/feature-types';
import { describeProblemFor } from '../../decompose/build-decompose-prompt';
import { createDecomposer } from '../../decompose/create-decomposer';
import { runDecompose } from '../../decompose/run-decompose';
import { onInterrupt } from '../../executors/on-interrupt';
import { formatUsd } from '../../agents/anthropic/format-progress';
import { assertFeatureIsNew, normalizeOptions } from '../feature/feature';
import { gatherWorkspace } from './gather-workspace';
import { keepRejectedProposal, writeProposal } from './write-proposal';
import type { DecomposeGeneratorSchema } from './schema';

/** A whole plan in one answer needs more room than a lane's turn. */
const DECOMPOSE_MAX_TOKENS = 16_384;

/**
 * `nx g nx-agent-lanes:decompose <feature> --goal "..."`: an agent proposes the plan from the goal
 * and the Nx project graph; the plugin's validator checks each proposal and sends its problems
 * back; the accepted plan is written through the Tree (so --dry-run shows it and writes nothing).
 */
export async function decomposeGenerator(tree: Tree, options: DecomposeGeneratorSchema): Promise<void> {
  const goal = options.goal?.trim();
  if (!goal) throw new LanesError('decompose needs --goal: what the feature does for its users, in one sentence.');
  const normalized = normalizeOptions({ name: options.name, directory: options.directory, goal, skipFormat: options.skipFormat });
  await assertFeatureIsNew(tree, normalized);
  const provider = options.provider ?? 'anthropic';
  const decomposer = createDecomposer(provider, options.command);
  const agent: AgentConfig = {
    ...DEFAULT_AGENT,
    provider: decomposer.name,
    model: options.model?.trim() || DEFAULT_AGENT.model,
    budgetUsd: options.budgetUsd ?? 1,
    maxTurns: options.maxTurns ?? 30,
    timeoutMinutes: options.timeoutMinutes ?? 10,
    maxTokens: DECOMPOSE_MAX_TOKENS,
    prices: {},
    claudeMd: false,
    ...(options.command ? { command: options.command } : {}),
  };
  const log = (line: string) => logger.info(`[decompose] ${line}`);
  const workspace = await gatherWorkspace(tree, goal, log);
  // Ctrl-C or a SIGTERM stops the agent and its processes before nx exits.
  const interrupt = onInterrupt();
  const outcome = await runDecompose({
    tree,
    workspaceRoot: tree.root,
    feature: normalized.name,
    directory: normalized.directory,
    goal,
    ...(options.lanes ? { lanes: options.lanes } : {}),
    rounds: options.rounds ?? 3,
    agent,
    decomposer,
    workspace,
    env: process.env,
    log,
    signal: interrupt.signal,
  }).finally(() => interrupt.dispose());
  if (!outcome.accepted || !outcome.proposal) {
    const kept = keepRejectedProposal({ feature: normalized.name, proposal: outcome.proposal, problems: outcome.problems, prompt: outcome.prompt, reason: outcome.reason ?? 'no plan' });
    const problems = outcome.problems.map((p) => `  ${describeProblemFor(normalized.directory, p)}`);
    throw new LanesError(
      `decompose proposed no valid plan for ${normalized.name}: ${outcome.reason}.` +
        (problems.length ? `\nThe last proposal's problems:\n${problems.join('\n')}` : '') +
        (outcome.proposal
          ? `\nNothing was written to the workspace. The last proposal, its problems and the prompt are kept in ${kept}: ` +
            'fix it and copy it into place, or run decompose again (more --rounds, a clearer --goal).'
          : `\nNothing was written to the workspace. The prompt is kept in ${kept}. Run decompose again, with more --budgetUsd, --maxTurns or --timeoutMinutes if a limit stopped it.`),
    );
  }
  const written = writeProposal(tree, normalized.directory, outcome.proposal, [
    `Proposed by \`nx g nx-agent-lanes:decompose\` (${decomposer.name}, ${agent.model}) in ${outcome.rounds} round${outcome.rounds === 1 ? '' : 's'}, ${formatUsd(outcome.meter.costUsd)}.`,
    'The validator accepted it: ownership is disjoint and every lane has a test. Read it before you run it:',
    `  nx show project ${normalized.name}        nx run ${normalized.name}:integrate`,
  ]);
  if (!normalized.skipFormat) await formatFiles(tree);
  log(`plan: ${written.join(', ')}`);
  log(`next: read the plan, then \`nx show project ${normalized.name}\` and \`nx run ${normalized.name}:integrate\``);
}

export default decomposeGenerator;
