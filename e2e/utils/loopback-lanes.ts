import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBodyRecorder, type BodyRecorder, type RecordedRequest } from './run-nx-async';
import { addProject, BUILT_PACKAGE, type ScratchWorkspace } from './scratch-workspace';

/*
 * What the e2e files that drive a real agent CLI against the loopback Messages API share: the
 * server with a recorder of request bodies in front, the lanes' artifacts, and the teardown.
 */

export interface ReplayServer {
  url: string;
  port: number;
  stats(): { bySession: Record<string, number>; unmatched: number };
  reset(): void;
  close(): Promise<void>;
}

export interface RecordedReplay {
  replay: ReplayServer;
  /** Point the agents' ANTHROPIC_BASE_URL here: it forwards to the replay server and keeps each body. */
  recorder: BodyRecorder;
  /** The requests of the lane whose spec says `SESSION: <session>`. */
  requestsOf(session: string): RecordedRequest[];
  close(): Promise<void>;
}

export async function startRecordedReplay(script: unknown): Promise<RecordedReplay> {
  const { startMessagesApiServer } = require(join(BUILT_PACKAGE, 'src/replay/messages-api-server.js'));
  const replay: ReplayServer = await startMessagesApiServer({ script });
  const recorder = await startBodyRecorder(replay.port);
  return {
    replay,
    recorder,
    requestsOf: (session) => recorder.requests.filter((r) => r.body.includes(`SESSION: ${session}`)),
    close: () => Promise.all([recorder.close(), replay.close()]).then(() => undefined),
  };
}

/** The artifacts of a workspace's lanes, read as JSON. */
export function laneArtifacts(root: () => string) {
  const laneDir = (feature: string, lane: string) => join(root(), 'dist/agent-lanes', feature, lane);
  const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
  return {
    laneDir,
    readJson,
    result: (feature: string, lane: string) => readJson(join(laneDir(feature, lane), 'result.json')),
    verify: (feature: string, lane: string) => readJson(join(laneDir(feature, lane), 'verify.json')),
    transcript: (feature: string, lane: string) =>
      readFileSync(join(laneDir(feature, lane), 'transcript.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Closes the servers and removes the workspace and scratch folder, unless `keepVar` is `1` (to look at a failure). */
export async function tearDown(keepVar: string, parts: { replay?: RecordedReplay; ws?: ScratchWorkspace; scratch?: string }): Promise<void> {
  await parts.replay?.close();
  if (process.env[keepVar] === '1') return console.log(`kept ${parts.ws?.root} and ${parts.scratch}`);
  parts.ws?.dispose();
  if (parts.scratch) rmSync(parts.scratch, { recursive: true, force: true });
}

/** A first turn whose output alone (5,000 tokens) costs more than a $0.01 budget. */
export function overBudgetSession(lane: string, file: string) {
  return {
    name: lane,
    match: { contains: `SESSION: ${lane}` },
    turns: [
      { content: [{ type: 'tool_use', name: 'Write', input: { file_path: file, content: 'exports.tiny = 1;\n' } }], usage: { output_tokens: 5000 } },
      { content: [{ type: 'text', text: 'Done.' }] },
    ],
  };
}

/**
 * A user's own Claude Code state under `home`, each piece carrying `marker`: auto-memory for the
 * checkout at `checkout`, ~/.claude/CLAUDE.md, and settings.json with a hook that prints it.
 */
export function plantUserClaudeState(home: string, checkout: string, marker: string): void {
  const claudeDir = join(home, '.claude');
  const memory = join(claudeDir, 'projects', checkout.replace(/[^a-zA-Z0-9]/g, '-'), 'memory');
  mkdirSync(memory, { recursive: true });
  writeFileSync(join(memory, 'MEMORY.md'), `# Memory\n- ${marker} in memory\n`);
  writeFileSync(join(claudeDir, 'CLAUDE.md'), `Always mention ${marker} in CLAUDE.md.\n`);
  const hook = { hooks: [{ type: 'command', command: `echo ${marker} from a settings hook` }] };
  writeFileSync(join(claudeDir, 'settings.json'), JSON.stringify({ env: { HOME_MARKER: marker }, hooks: { UserPromptSubmit: [hook], SessionStart: [hook] } }));
}

/**
 * The projects the Claude Code e2e files plan lanes on: apps/api and libs/fmt with acceptance
 * checks (tools/check-api.js, tools/check-fmt.js), libs/tiny, and a repository CLAUDE.md holding
 * `repoMarker`; the plugin registered in nx.json.
 */
export function writeApiFmtProjects(ws: ScratchWorkspace, repoMarker: string): void {
  addProject(ws, 'apps/api', { 'src/index.js': "exports.api = 'base';\n" });
  addProject(ws, 'libs/fmt', { 'src/index.js': "exports.fmt = 'base';\n" });
  addProject(ws, 'libs/tiny', { 'src/index.js': "exports.tiny = 'base';\n" });
  ws.write('CLAUDE.md', `# Project notes\n${repoMarker}\n`);
  ws.write('tools/check-api.js', "if (require('../apps/api/src/api.js').api !== 'done') process.exit(1);\nconsole.log('api check passed');\n");
  ws.write('tools/check-fmt.js', "if (require('../libs/fmt/src/fmt.js').format !== 'csv') process.exit(1);\nconsole.log('fmt check passed');\n");
  ws.write('nx.json', JSON.stringify({ plugins: ['nx-agent-lanes'] }, null, 2));
}
