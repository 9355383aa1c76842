import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentProviderImpl, AgentRunInput, AgentRunResult } from '../agents/provider';
import { addUsage, createZeroUsage, roundUsd } from '../agents/provider';
import { AgentError, LanesError, describeFailure } from '../errors';
import type { AgentProvider, Feature, Lane } from '../feature/feature-types';
import { DEFAULT_MODEL, DEFAULT_PRICES, findModelPrice } from '../feature/default-agent';
import { upstreamLanes } from '../feature/plan-lanes';
import { listUncommittedFiles } from '../git/uncommitted-files';
import { applyLanePatch } from '../git/lane-patch';
import { checkRepository, watchRepository, type RepositoryWatch } from '../git/watch-repository';
import { readLaneNotes } from '../notes/read-lane-notes';
import {
  INTEGRATE_TARGET,
  METER_EVENT,
  PATCH_FILE,
  appendLaneAttempt,
  laneArtifactFiles,
  listLaneAttempts,
  sumLaneAttempts,
  laneNotesFile,
  laneTarget,
  readLanePatch,
  readLaneResult,
  readRescuedAttempts,
  writeLanePatch,
  writeLaneResult,
  writeRanIn,
  type LaneArtifactFiles,
  type LaneResult,
  type PatchFileSize,
} from '../layout';
import { buildLanePrompt } from '../prompt/build-lane-prompt';
import { buildLaneEnv, readUpstreamFromEnv, startMeteringProxy, type LaneMeter, type MeteringProxy } from '../proxy';
import { runStage, type Stage } from '../stage/run-stage';
import { planAgentKey } from '../hashing/lane-cache-inputs';
import { sha256 } from '../hashing/sha256';
import { currentNxInvocation } from './nx-invocation';
import { captureSecretFreePatch, describeWithheldFiles } from './capture-secret-free-patch';
import { describePatchRefusals, describePatchWarnings } from './describe-patch-file-sizes';
import { redactSecrets, redactValue } from './redact-secrets';
import { readFeatureSpend, writeLiveSpend } from './feature-spend';
import { openTranscript } from './transcript-writer';
import { waitForLaneAnswer } from './wait-for-answer';

export interface RunLaneOptions {
  workspaceRoot: string;
  feature: Feature;
  lane: Lane;
  providers: Partial<Record<AgentProvider, AgentProviderImpl>>;
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
  const { lane } = options;
  return runStage({ ...options, task: laneTarget(lane.name), sandbox: lane.sandbox, where: `lane ${lane.name}` }, (stage) =>
    runLaneInStage(options, stage),
  );
}

async function runLaneInStage(options: RunLaneOptions, stage: Stage): Promise<LaneResult> {
  const { workspaceRoot, feature, lane } = options;
  const { secrets, log, signal } = stage;
  const env = stage.env;
  const now = options.now ?? Date.now;
  const provider = options.providers[lane.agent.provider];
  if (!provider) throw new LanesError(`No agent provider "${lane.agent.provider}" for lane ${lane.name}.`);
  const upstreamApi = readUpstreamFromEnv(env);
  if (lane.agent.provider === 'anthropic' && !upstreamApi.apiKey && !upstreamApi.authToken) {
    throw new AgentError('The anthropic agent provider needs an API key, and ANTHROPIC_API_KEY is not set.', {
      hint:
        'Set ANTHROPIC_API_KEY; or run the lane with the command provider ("agent": { "provider": "command", ' +
        '"command": "claude -p" }); or point ANTHROPIC_BASE_URL at a replay server and set ANTHROPIC_API_KEY to any value.',
    });
  }

  const artifacts = laneArtifactFiles(workspaceRoot, feature.name, lane.name);
  const previous = readPreviousRun(artifacts);
  const notes = readLaneNotes(workspaceRoot, feature.root, lane.name);
  const upstream = upstreamLanes(feature, lane);
  const upstreamPatches = upstream.map((u) => readUpstreamPatch(workspaceRoot, feature, u.name, lane.name));

  const base = await stage.resolveBase();
  // Answered in place in the previous run: Nx stored that run under the key it had before the
  // answer, so this run (keyed with the answer) misses the cache; its result is already this one's.
  const inputsDigest = (notesText: string) => digestLaneInputs({ feature, lane, workspaceRoot, baseCommit: base.commit, upstreamPatches, notesText });
  const notesPath = join(workspaceRoot, laneNotesFile(feature.root, lane.name));
  const readNotesText = () => (existsSync(notesPath) ? readFileSync(notesPath, 'utf8') : '');
  if (previous.result?.status === 'done' && previous.patch !== undefined && previous.result.answeredInPlace?.inputs === inputsDigest(readNotesText())) {
    log('done already: the previous run got its answer in place and finished with these very inputs; nothing to rerun, nothing paid');
    return previous.result;
  }
  const uncommitted = await listUncommittedFiles(workspaceRoot, lane.owns);
  if (uncommitted.length) {
    log(
      `note: uncommitted changes to files this lane owns are not seen by its agent, which starts from commit ` +
        `${base.commit.slice(0, 10)}: ${uncommitted.slice(0, 5).join(', ')}${uncommitted.length > 5 ? ', ...' : ''}. Commit them first if they matter.`,
    );
  }

  log(
    `starting at ${base.commit.slice(0, 10)}${upstream.length ? ` after ${upstream.map((u) => u.name).join(', ')}` : ''} with the ${provider.name} agent` +
      (stage.sandboxed ? ', in the OS sandbox' : ', WITHOUT the OS sandbox'),
  );
  const worktree = await stage.openWorktree({
    name: lane.name,
    baseCommit: base.commit,
    patches: upstreamPatches
      .map((patch, i) => ({ patch, message: `${feature.name}: ${upstream[i].name} lane (upstream of ${lane.name})` }))
      .filter((p) => p.patch.trim() !== ''),
  });
  if (options.keepWorktree) worktree.keep();
  const startedAt = now();
  mkdirSync(artifacts.dir, { recursive: true });
  const transcriptFile = artifacts.transcript;
  const priorTranscript = previous.transcript;
  keepTranscriptOfKilledRun(artifacts);
  const earlierAttempts = listLaneAttempts(previous.result);
  const killedAttempts = readRescuedAttempts(artifacts.rescued, earlierAttempts);
  const transcriptWriter = openTranscript({ file: transcriptFile, limitBytes: lane.limits.transcriptBytes, secrets, now });
  const transcript = (event: Record<string, unknown>) => transcriptWriter.write(event);

  // A resumed conversation is one piece of work: the limits count the turns and spend before the blocker too.
  // Providers whose conversation survives a blocker: the anthropic loop's messages, Claude Code's session.
  const keepsConversation = provider.name === 'anthropic' || provider.name === 'claude-code';
  let answers = notes.answers;
  const resumable = notes.answers.length > 0 && previous.result?.status === 'blocked' && keepsConversation;
  const spent = resumable && previous.result ? { turns: previous.result.turns, costUsd: previous.result.costUsd } : undefined;
  let meterSoFar: (() => LaneMeter) | undefined;
  const proxy = await startMeteringProxy({
    upstream: upstreamApi.upstream,
    apiKey: upstreamApi.apiKey,
    authToken: upstreamApi.authToken,
    lanes: { [lane.name]: { budgetUsd: lane.agent.budgetUsd, maxTurns: lane.agent.maxTurns, model: meteredModel(lane), prices: { ...DEFAULT_PRICES, ...lane.agent.prices }, spent } },
    // The feature's cap counts every lane and every run: the others' result.json and spend.json, read before each request.
    ...(feature.featureBudgetUsd === undefined
      ? {}
      : {
          featureBudgetUsd: feature.featureBudgetUsd,
          featureSpentElsewhere: () => readFeatureSpend(workspaceRoot, feature, lane.name, sumLaneAttempts([...earlierAttempts, ...killedAttempts]).costUsd),
        }),
    // The anthropic provider logs each turn itself; the proxy's line per answered request is for agents that do not.
    log: (line) => {
      if (provider.name !== 'anthropic' || !ANSWERED_REQUEST.test(line)) log(`api proxy: ${line}`);
      if (ANSWERED_REQUEST.test(line) && meterSoFar) {
        const meter = meterSoFar();
        transcript(meterEvent(meter));
        // For the feature cap of lanes running beside this one.
        if (feature.featureBudgetUsd !== undefined) writeLiveSpend(artifacts.spend, { startedAt: new Date(startedAt).toISOString(), costUsd: meter.costUsd });
      }
    },
  });
  meterSoFar = () => proxy.meter(lane.name);
  const agentEnv = buildLaneEnv(stage.keylessEnv, { baseUrl: proxy.urlFor(lane.name) });
  const runProcess = worktree.runner({ apiProxyPort: proxyPort(proxy) });

  let result: AgentRunResult = { status: 'failed', reason: 'the agent did not start', turns: 0, usage: createZeroUsage(), costUsd: 0 };
  let agentRuns = 0;
  let files: LaneResult['filesChanged'] = [];
  let patchSizes: { warnings: PatchFileSize[]; refusals: PatchFileSize[] } = { warnings: [], refusals: [] };
  let startedFrom: LaneResult['startedFrom'] = 'fresh';
  let watch: RepositoryWatch | undefined;
  let metered: ReturnType<typeof decideUsage> = { source: 'none', turns: 0, usage: createZeroUsage(), costUsd: 0, stop: undefined };
  try {
    // Through its worktree the agent reaches the user's .git: refs, HEAD, config and hooks it changes fail the lane.
    watch = await watchRepository(stage.repoRoot, {
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
    let resume = resumable ? lastConversation(priorTranscript) : undefined;
    if (resume) {
      // The saved conversation remembers what the agent wrote before it blocked: put it back.
      if (previous.patch?.trim()) await applyLanePatch({ worktree: worktree.path, patch: previous.patch });
      startedFrom = 'resumed-transcript';
    }

    answers = notes.answers;
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
        worktree: worktree.cwd,
        prompt,
        agent: lane.agent,
        testCommand: lane.test,
        ownership: {
          owns: lane.owns,
          forbids: lane.forbids,
          otherLanes: feature.lanes.filter((l) => l.name !== lane.name).map((l) => ({ name: l.name, owns: l.owns, forbids: l.forbids })),
        },
        env: agentEnv,
        testEnv: stage.keylessEnv,
        runProcess,
        signal,
        log,
        transcript,
        scratchDir: worktree.scratch,
        onProcessGroup: (pgid) => stage.lock.recordAgentGroup(pgid),
        redact: (text) => redactSecrets(text, secrets),
        limits: lane.limits,
        ...spentBefore(spent, proxy.meter(lane.name)),
        ...(resume ? { resume: { messages: resume }, answer: answers[answers.length - 1]?.answer } : {}),
        ...(options.waitForAnswer && provider.name === 'anthropic'
          ? { onBlocker: (question: string) => askAndWait(question, answers.length++) }
          : {}),
      };
      agentRuns++;
      transcript({ type: 'run-start', run: agentRuns, provider: provider.name, startedFrom });
      result = accumulate(result, await provider.run(input), agentRuns);
      if (result.status !== 'blocked' || !options.waitForAnswer || signal.aborted) break;
      // Command agents and Claude Code cannot take an answer mid-run: wait, then run again with it
      // in the prompt, or in the same Claude Code session, which this run's transcript now holds.
      const answer = await askAndWait(result.question ?? '', answers.length);
      if (answer === undefined) break;
      answers = [...answers, { question: result.question ?? '', answer }];
      resume = provider.name === 'claude-code' ? lastConversation(readFileSync(transcriptFile, 'utf8')) : undefined;
    }
  } catch (error) {
    result = { ...result, status: 'failed', reason: describeFailure(error) };
    log(`failed: ${result.reason}`);
  } finally {
    await proxy.close();
    // The proxy's stop names the limit; what the plugin finds next (moved refs, a withheld secret) still fails the lane.
    metered = decideUsage(result, proxy.meter(lane.name));
    if (metered.stop && result.status !== 'over-budget') {
      result = { ...result, status: 'over-budget', reason: `${metered.stop}${result.reason ? ` (the agent then said: ${result.reason.split('\n')[0]})` : ''}` };
      log(metered.stop);
    }
    const moved = await checkRepository(watch, "the lane's agent");
    if (moved) {
      result = { ...result, status: 'failed', reason: result.status === 'failed' && result.reason ? `${moved}. The agent also failed: ${result.reason}` : moved };
      log(moved);
    }
    // Keep the work even when the agent failed or was interrupted: a partial patch is evidence.
    try {
      const captured = await captureSecretFreePatch({ worktree: worktree.path, baseCommit: worktree.startCommit, secrets, sizeLimits: lane.limits });
      writeLanePatch(artifacts, captured.patch);
      files = captured.files;
      patchSizes = { warnings: captured.sizeWarnings, refusals: captured.sizeRefusals };
      for (const line of describePatchWarnings(captured.sizeWarnings, lane.limits)) log(line);
      if (captured.withheld.length) {
        result = { ...result, status: 'failed', reason: describeWithheldFiles(captured.withheld) };
        log(result.reason!);
      }
      if (captured.sizeRefusals.length) {
        // The refused files are in no patch: until the next run rescues it, the worktree is the only copy.
        worktree.keep();
        const refusal = describePatchRefusals({
          refusals: captured.sizeRefusals,
          limits: lane.limits,
          worktree: worktree.path,
          branch: worktree.branch,
          rescuedDir: artifacts.rescued,
        });
        result = { ...result, status: 'failed', reason: captured.withheld.length ? `${result.reason}; and ${refusal}` : refusal };
        log(refusal);
      }
    } catch (error) {
      // Never delete work that could not be saved: leave the worktree for the person to recover.
      worktree.keep();
      const why = error instanceof Error ? error.message : String(error);
      result = { ...result, status: 'failed', reason: `could not save the lane's changes (${why}); they are still in ${worktree.path}` };
      log(result.reason!);
    }
    transcriptWriter.close();
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
    model: lane.agent.provider === 'command' ? undefined : lane.agent.model,
    baseCommit: base.commit,
    upstream: upstream.map((u) => u.name),
    // A resumed conversation is one piece of work: count the turns and spend before the blocker too.
    turns: metered.turns + (resumedFrom?.turns ?? 0),
    tokens: resumedFrom ? addUsage(metered.usage, resumedFrom.tokens) : metered.usage,
    costUsd: roundUsd(metered.costUsd + (resumedFrom?.costUsd ?? 0)),
    usageSource: metered.source,
    ...(metered.agentReported ? { agentReported: metered.agentReported } : {}),
    sandboxed: stage.sandboxed,
    ...(runProcess.refusals.length ? { sandboxRefusals: [...runProcess.refusals] } : {}),
    ...(result.permissionDenials?.length ? { permissionDenials: result.permissionDenials } : {}),
    ...(patchSizes.warnings.length ? { patchWarnings: patchSizes.warnings } : {}),
    ...(patchSizes.refusals.length ? { patchRefusals: patchSizes.refusals } : {}),
    ...(result.status === 'done' && answers.length > notes.answers.length ? { answeredInPlace: { inputs: inputsDigest(readNotesText()) } } : {}),
    startedAt: new Date(startedAt).toISOString(),
    endedAt: new Date(endedAt).toISOString(),
    durationMs: endedAt - startedAt,
    filesChanged: files,
    agentRuns,
    startedFrom,
    // This attempt's own figures: a resumed lane's top-level ones include the attempt before the blocker.
    attempts: appendLaneAttempt(earlierAttempts, killedAttempts, {
      outcome: result.status,
      startedFrom,
      startedAt: new Date(startedAt).toISOString(),
      endedAt: new Date(endedAt).toISOString(),
      durationMs: endedAt - startedAt,
      turns: metered.turns,
      tokens: metered.usage,
      costUsd: roundUsd(metered.costUsd),
      usageSource: metered.source,
      agentRuns,
    }),
  };
  // Redacted as written: the caller prints its reason and summary, and Nx caches what it prints.
  const redacted = redactValue(laneResult, secrets);
  writeLaneResult(artifacts, redacted);
  // This run's spend is in its attempt from here on (a run that never gets here leaves it counted).
  rmSync(artifacts.spend, { force: true });
  writeRanIn(artifacts, currentNxInvocation());
  return redacted;

  async function askAndWait(question: string, knownAnswers: number): Promise<string | undefined> {
    log(`BLOCKED: ${question}`);
    log(`answer with: nx g nx-agent-lanes:answer ${feature.name} --lane ${lane.name} --answer "..."  (waiting; other lanes go on)`);
    // The answer generator reads this to know the lane asked, before it has any result.json.
    writeFileSync(artifacts.waiting, `${JSON.stringify({ question: redactSecrets(question, secrets) })}\n`);
    let answer: string | undefined;
    try {
      answer = await waitForLaneAnswer({ notesFile: notesPath, lane: lane.name, knownAnswers, signal });
    } finally {
      rmSync(artifacts.waiting, { force: true });
    }
    if (answer !== undefined) log(`answer received: ${answer}`);
    return answer;
  }
}

/**
 * The lane's figures: the proxy's meter when the agent reached the Messages API through it (the
 * agent's own count is then only a cross-check, kept when it differs), else what the agent said
 * (another vendor's CLI, marked as its own report), else none. `stop` is the proxy's reason when it
 * stopped the lane at its budget or turn limit.
 */
function decideUsage(result: AgentRunResult, meter: LaneMeter) {
  const { cacheWrite1h: _oneHour, ...usage } = meter.usage;
  const stop = meter.stopped?.message;
  if (meter.requests > 0) {
    const differs = result.turns !== meter.turns || Math.abs(result.costUsd - meter.costUsd) > 1e-6;
    const agentReported = differs && (result.turns > 0 || result.costUsd > 0) ? { turns: result.turns, costUsd: roundUsd(result.costUsd) } : undefined;
    return { source: 'proxy' as const, turns: meter.turns, usage, costUsd: meter.costUsd, stop, agentReported };
  }
  if (result.turns > 0 || result.costUsd > 0) return { source: 'agent' as const, turns: result.turns, usage: result.usage, costUsd: result.costUsd, stop };
  return { source: 'none' as const, turns: 0, usage: createZeroUsage(), costUsd: 0, stop };
}

/**
 * What the proxy counts against the lane's limits before this agent run starts: the resumed
 * conversation's earlier turns and spend, and this task's earlier agent runs (answers in place),
 * so the agent's progress line counts turns as the limit does.
 */
function spentBefore(spent: { turns: number; costUsd: number } | undefined, meter: LaneMeter): Pick<AgentRunInput, 'spentBefore'> {
  const turns = (spent?.turns ?? 0) + meter.turns;
  const costUsd = (spent?.costUsd ?? 0) + meter.costUsd;
  return turns > 0 || costUsd > 0 ? { spentBefore: { turns, costUsd: roundUsd(costUsd) } } : {};
}

/** The proxy's running figures for this attempt, as the transcript keeps them for a run that gets killed. */
function meterEvent(meter: LaneMeter): Record<string, unknown> {
  const { cacheWrite1h: _oneHour, ...tokens } = meter.usage;
  return { type: METER_EVENT, turns: meter.turns, costUsd: roundUsd(meter.costUsd), tokens };
}

/** The metering proxy's line for a request the upstream answered (`lane x: POST /v1/messages 200 ...`). */
const ANSWERED_REQUEST = /^lane \S+: POST \S+ 2\d\d /;

/**
 * The model the proxy prices an answer as when the answer's own model has no price. A command
 * lane's `model` may name another vendor's model, or none the table knows: its Anthropic traffic,
 * if any, is then priced as the default model rather than refused before the agent starts.
 */
function meteredModel(lane: Lane): string {
  const known = findModelPrice({ ...DEFAULT_PRICES, ...lane.agent.prices }, lane.agent.model);
  return lane.agent.provider === 'command' && !known ? DEFAULT_MODEL : lane.agent.model;
}

/** The proxy's TCP port, which the sandbox bridges in at the same address. */
function proxyPort(proxy: MeteringProxy): number {
  const port = proxy.origin ? Number(new URL(proxy.origin).port) : NaN;
  if (!Number.isInteger(port) || port <= 0) throw new LanesError('The metering proxy is not listening on a TCP port.');
  return port;
}

function accumulate(before: AgentRunResult, next: AgentRunResult, run: number): AgentRunResult {
  if (run === 1) return next;
  return {
    ...next,
    turns: before.turns + next.turns,
    costUsd: before.costUsd + next.costUsd,
    usage: addUsage(before.usage, next.usage),
    permissionDenials: [...(before.permissionDenials ?? []), ...(next.permissionDenials ?? [])],
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

/**
 * What the lane's agent task is keyed on, as one digest: its key options, the spec, the contract,
 * the notes, the base commit and the upstream patches.
 */
function digestLaneInputs(input: { feature: Feature; lane: Lane; workspaceRoot: string; baseCommit: string; upstreamPatches: string[]; notesText: string }): string {
  const read = (path: string) => (existsSync(join(input.workspaceRoot, path)) ? readFileSync(join(input.workspaceRoot, path), 'utf8') : '');
  return sha256(
    JSON.stringify({
      key: planAgentKey(input.feature, input.lane),
      spec: read(input.lane.specPath),
      contract: read(input.feature.contractPath),
      notes: input.notesText,
      base: input.baseCommit,
      upstream: input.upstreamPatches.map((patch) => sha256(patch)),
    }),
  );
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
