import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { AgentProviderImpl, AgentRunInput, AgentRunResult } from '../agents/provider';
import { addUsage, createZeroUsage, roundUsd } from '../agents/provider';
import { LanesError } from '../errors';
import type { AgentProvider, Feature, Lane } from '../feature/feature-types';
import { upstreamLanes } from '../feature/plan-lanes';
import { findRepoRoot } from '../git/repo';
import { listUncommittedFiles } from '../git/uncommitted-files';
import { resolveRevision } from '../git/tree-blobs';
import { applyLanePatch } from '../git/lane-patch';
import { createLaneWorktree, removeLaneWorktree } from '../git/lane-worktree';
import { checkRepository, watchRepository, type RepositoryWatch } from '../git/watch-repository';
import { readLaneNotes } from '../notes/read-lane-notes';
import {
  INTEGRATE_TARGET,
  PATCH_FILE,
  laneArtifactFiles,
  laneNotesFile,
  laneTarget,
  readLanePatch,
  readLaneResult,
  writeLanePatch,
  writeLaneResult,
  writeRanIn,
  type LaneArtifactFiles,
  type LaneResult,
} from '../layout';
import { buildLanePrompt } from '../prompt/build-lane-prompt';
import { acquireLaneLock } from './lane-lock';
import { currentNxInvocation } from './nx-invocation';
import { captureSecretFreePatch, describeWithheldFiles } from './capture-secret-free-patch';
import { StreamRedactor, collectSecrets, redactSecrets, redactValue } from './redact-secrets';
import { openTranscript } from './transcript-writer';
import { waitForLaneAnswer } from './wait-for-answer';
import { pruneWithRescue } from './prune-with-rescue';

export interface RunLaneOptions {
  workspaceRoot: string;
  feature: Feature;
  lane: Lane;
  providers: Record<AgentProvider, AgentProviderImpl>;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** One line per event; already prefixed with the lane's name by the caller if wanted. */
  log?: (line: string) => void;
  /** Wait for answers to blockers and resume in place (interactive use). */
  waitForAnswer?: boolean;
  keepWorktree?: boolean;
  now?: () => number;
}

/**
 * Runs one lane end to end: a fresh worktree at the base (plus upstream lanes' patches), the
 * agent confined to it, then its change captured as lane.patch with result.json and
 * transcript.jsonl beside it. Whatever happens, the work done is kept and the worktree goes.
 */
export async function runLane(options: RunLaneOptions): Promise<LaneResult> {
  const repoRoot = await findRepoRoot(options.workspaceRoot);
  const lock = await acquireLaneLock({ repoRoot, feature: options.feature.name, name: laneTarget(options.lane.name) });
  try {
    return await runLaneInWorktree({ ...options, repoRoot, onProcessGroup: (pgid) => lock.recordAgentGroup(pgid) });
  } finally {
    lock.release();
  }
}

async function runLaneInWorktree(
  options: RunLaneOptions & { repoRoot: string; onProcessGroup: (pgid: number) => void },
): Promise<LaneResult> {
  const { workspaceRoot, feature, lane, repoRoot } = options;
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const signal = options.signal ?? new AbortController().signal;
  const secrets = collectSecrets(env, feature.secrets);
  const log = (line: string) => options.log?.(redactSecrets(line, secrets));
  const provider = options.providers[lane.agent.provider];
  if (!provider) throw new LanesError(`No agent provider "${lane.agent.provider}" for lane ${lane.name}.`);

  const artifacts = laneArtifactFiles(workspaceRoot, feature.name, lane.name);
  const previous = readPreviousRun(artifacts);
  const notes = readLaneNotes(workspaceRoot, feature.root, lane.name);
  const upstream = upstreamLanes(feature, lane);
  const upstreamPatches = upstream.map((u) => readUpstreamPatch(workspaceRoot, feature, u.name, lane.name));

  const workspaceInRepo = relative(repoRoot, workspaceRoot);
  const base = await resolveRevision(workspaceRoot, feature.base ?? 'HEAD');
  const uncommitted = await listUncommittedFiles(workspaceRoot, lane.owns);
  if (uncommitted.length) {
    log(
      `note: uncommitted changes to files this lane owns are not seen by its agent, which starts from commit ` +
        `${base.commit.slice(0, 10)}: ${uncommitted.slice(0, 5).join(', ')}${uncommitted.length > 5 ? ', ...' : ''}. Commit them first if they matter.`,
    );
  }
  for (const line of await pruneWithRescue({ repoRoot, workspaceRoot })) log(line);

  const startedAt = now();
  mkdirSync(artifacts.dir, { recursive: true });
  const transcriptFile = artifacts.transcript;
  const priorTranscript = previous.transcript;
  keepTranscriptOfKilledRun(artifacts);
  const transcriptWriter = openTranscript({ file: transcriptFile, limitBytes: lane.limits.transcriptBytes, secrets, now });
  const transcript = (event: Record<string, unknown>) => transcriptWriter.write(event);

  log(`starting at ${base.commit.slice(0, 10)}${upstream.length ? ` after ${upstream.map((u) => u.name).join(', ')}` : ''} with the ${provider.name} agent`);
  const worktree = await createLaneWorktree({
    repoRoot,
    feature: feature.name,
    lane: lane.name,
    baseCommit: base.commit,
    patches: upstreamPatches
      .map((patch, i) => ({ patch, message: `${feature.name}: ${upstream[i].name} lane (upstream of ${lane.name})` }))
      .filter((p) => p.patch.trim() !== ''),
  });
  const scratchDir = mkdtempSync(join(tmpdir(), `nx-agent-lanes-${lane.name}-`));
  const agentCwd = join(worktree.path, workspaceInRepo);

  let result: AgentRunResult = { status: 'failed', reason: 'the agent did not start', turns: 0, usage: createZeroUsage(), costUsd: 0 };
  let agentRuns = 0;
  let files: LaneResult['filesChanged'] = [];
  let startedFrom: LaneResult['startedFrom'] = 'fresh';
  let watch: RepositoryWatch | undefined;
  try {
    // Through its worktree the agent reaches the user's .git: refs, HEAD, config and hooks it changes fail the lane.
    watch = await watchRepository(repoRoot, {
      worktree: { path: worktree.path, branch: worktree.branch, branchMayMove: true },
      featureBranch: `lanes/${feature.name}`,
      by: `${feature.name}/${lane.name} agent`,
    });
    // Feedback asks for a fix on top of the previous result, not a restart.
    let previousPatch: string | undefined;
    if (notes.feedback.length && previous.patch && previous.result?.status === 'done') {
      try {
        await applyLanePatch({ worktree: worktree.path, patch: previous.patch });
        previousPatch = previous.patch;
        startedFrom = 'previous-patch';
      } catch (error) {
        // The lane's files changed on the base since: the feedback still goes in, on a fresh start.
        log(`the previous patch no longer applies (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); starting fresh with the feedback`);
      }
    }
    const resume =
      notes.answers.length && previous.result?.status === 'blocked' && provider.name === 'anthropic'
        ? lastConversation(priorTranscript)
        : undefined;
    if (resume) {
      // The saved conversation remembers what the agent wrote before it blocked: put it back.
      if (previous.patch?.trim()) await applyLanePatch({ worktree: worktree.path, patch: previous.patch });
      startedFrom = 'resumed-transcript';
    }

    let answers = notes.answers;
    for (;;) {
      const prompt = buildLanePrompt({
        feature: { name: feature.name, goal: feature.goal },
        lane,
        spec: readFileSync(join(workspaceRoot, lane.specPath), 'utf8'),
        contract: readFileSync(join(workspaceRoot, feature.contractPath), 'utf8'),
        // Other lanes' files stay out of the prompt so editing another lane does not change this
        // lane's cache key; the write tools still name the owner when they refuse a path.
        otherLanes: [],
        answers,
        feedback: notes.feedback,
        previousPatch,
      });
      const input: AgentRunInput = {
        feature: feature.name,
        lane: lane.name,
        worktree: agentCwd,
        prompt,
        agent: lane.agent,
        testCommand: lane.test,
        ownership: {
          owns: lane.owns,
          forbids: lane.forbids,
          otherLanes: feature.lanes.filter((l) => l.name !== lane.name).map((l) => ({ name: l.name, owns: l.owns, forbids: l.forbids })),
        },
        env,
        signal,
        log,
        transcript,
        scratchDir,
        onProcessGroup: options.onProcessGroup,
        redact: (text) => redactSecrets(text, secrets),
        createRedactor: () => new StreamRedactor(secrets),
        limits: lane.limits,
        ...(resume && agentRuns === 0 ? { resume: { messages: resume }, answer: answers[answers.length - 1]?.answer } : {}),
        ...(options.waitForAnswer && provider.name === 'anthropic'
          ? { onBlocker: (question: string) => askAndWait(question, answers.length++) }
          : {}),
      };
      agentRuns++;
      transcript({ type: 'run-start', run: agentRuns, provider: provider.name, startedFrom });
      result = accumulate(result, await provider.run(input), agentRuns);
      if (result.status !== 'blocked' || !options.waitForAnswer || signal.aborted) break;
      // Command agents cannot take an answer mid-run: wait, then run again with it in the prompt.
      const answer = await askAndWait(result.question ?? '', answers.length);
      if (answer === undefined) break;
      answers = [...answers, { question: result.question ?? '', answer }];
    }
  } catch (error) {
    result = { ...result, status: 'failed', reason: error instanceof Error ? error.message : String(error) };
    log(`failed: ${result.reason}`);
  } finally {
    const moved = await checkRepository(watch, "the lane's agent");
    if (moved) {
      result = { ...result, status: 'failed', reason: result.status === 'failed' && result.reason ? `${moved}. The agent also failed: ${result.reason}` : moved };
      log(moved);
    }
    // Keep the work even when the agent failed or was interrupted: a partial patch is evidence.
    let keep = options.keepWorktree ?? false;
    try {
      const captured = await captureSecretFreePatch({ worktree: worktree.path, baseCommit: worktree.startCommit, secrets });
      writeLanePatch(artifacts, captured.patch);
      files = captured.files;
      if (captured.withheld.length) {
        result = { ...result, status: 'failed', reason: describeWithheldFiles(captured.withheld) };
        log(result.reason!);
      }
    } catch (error) {
      // Never delete work that could not be saved: leave the worktree for the person to recover.
      keep = true;
      const why = error instanceof Error ? error.message : String(error);
      result = { ...result, status: 'failed', reason: `could not save the lane's changes (${why}); they are still in ${worktree.path}` };
      log(result.reason!);
    }
    transcriptWriter.close();
    rmSync(scratchDir, { recursive: true, force: true });
    if (!keep) await removeLaneWorktree(worktree);
    else log(`kept worktree ${worktree.path} (branch ${worktree.branch})`);
  }

  const endedAt = now();
  const resumedFrom = startedFrom === 'resumed-transcript' ? previous.result : undefined;
  const laneResult: LaneResult = {
    feature: feature.name,
    lane: lane.name,
    status: result.status,
    question: result.question,
    reason: result.reason,
    summary: result.summary,
    provider: provider.name,
    model: lane.agent.provider === 'anthropic' ? lane.agent.model : undefined,
    baseCommit: base.commit,
    upstream: upstream.map((u) => u.name),
    // A resumed conversation is one piece of work: count the turns and spend before the blocker too.
    turns: result.turns + (resumedFrom?.turns ?? 0),
    tokens: resumedFrom ? addUsage(result.usage, resumedFrom.tokens) : result.usage,
    costUsd: roundUsd(result.costUsd + (resumedFrom?.costUsd ?? 0)),
    startedAt: new Date(startedAt).toISOString(),
    endedAt: new Date(endedAt).toISOString(),
    durationMs: endedAt - startedAt,
    filesChanged: files,
    agentRuns,
    startedFrom,
  };
  // Redacted as written: the caller prints its reason and summary, and Nx caches what it prints.
  const redacted = redactValue(laneResult, secrets);
  writeLaneResult(artifacts, redacted);
  writeRanIn(artifacts, currentNxInvocation());
  return redacted;

  async function askAndWait(question: string, knownAnswers: number): Promise<string | undefined> {
    log(`BLOCKED: ${question}`);
    log(`answer with: nx g nx-agent-lanes:answer ${feature.name} --lane ${lane.name} --answer "..."  (waiting; other lanes go on)`);
    const answer = await waitForLaneAnswer({
      notesFile: join(workspaceRoot, laneNotesFile(feature.root, lane.name)),
      lane: lane.name,
      knownAnswers,
      signal,
    });
    if (answer !== undefined) log(`answer received: ${answer}`);
    return answer;
  }
}

function accumulate(before: AgentRunResult, next: AgentRunResult, run: number): AgentRunResult {
  if (run === 1) return next;
  return {
    ...next,
    turns: before.turns + next.turns,
    costUsd: before.costUsd + next.costUsd,
    usage: addUsage(before.usage, next.usage),
  };
}


interface PreviousRun {
  result?: LaneResult;
  patch?: string;
  transcript?: string;
}

/**
 * A run killed with -9 leaves a transcript newer than its result.json (or none): keep it in
 * rescued/ instead of starting the new transcript over it.
 */
function keepTranscriptOfKilledRun(artifacts: LaneArtifactFiles): void {
  const { transcript, result, rescued: dir } = artifacts;
  if (!existsSync(transcript) || statSync(transcript).size === 0) return;
  // Nx restoring both from cache may write them a moment apart; a killed run's gap is a run long.
  if (existsSync(result) && statSync(result).mtimeMs + 2000 >= statSync(transcript).mtimeMs) return;
  mkdirSync(dir, { recursive: true });
  renameSync(transcript, join(dir, `transcript-${Math.round(statSync(transcript).mtimeMs)}.jsonl`));
}

function readPreviousRun(artifacts: LaneArtifactFiles): PreviousRun {
  const transcript = existsSync(artifacts.transcript) ? readFileSync(artifacts.transcript, 'utf8') : undefined;
  return { result: readLaneResult(artifacts), patch: readLanePatch(artifacts), transcript };
}

function readUpstreamPatch(workspaceRoot: string, feature: Feature, upstream: string, lane: string): string {
  const artifacts = laneArtifactFiles(workspaceRoot, feature.name, upstream);
  const result = readLaneResult(artifacts);
  const patch = readLanePatch(artifacts);
  if (!result || result.status !== 'done' || patch === undefined) {
    const state = !result ? 'has no result yet' : result.status !== 'done' ? `ended ${result.status}` : `has no ${PATCH_FILE}`;
    throw new LanesError(
      `Lane ${lane} comes after lane ${upstream}, which ${state}.`,
      { hint: `Run nx run ${feature.name}:${laneTarget(upstream)} first (nx run ${feature.name}:${INTEGRATE_TARGET} runs every lane in order).` },
    );
  }
  return patch;
}

/** The conversation saved by the anthropic provider's last `state` event, if any. */
function lastConversation(transcript: string | undefined): unknown[] | undefined {
  if (!transcript) return undefined;
  const lines = transcript.trim().split('\n').reverse();
  for (const line of lines) {
    try {
      const event = JSON.parse(line) as { type?: string; messages?: unknown[] };
      if (event.type === 'state' && Array.isArray(event.messages)) return event.messages;
    } catch {
      // A torn last line from an interrupted run: look further back.
    }
  }
  return undefined;
}
