#!/usr/bin/env node
/**
 * Writes examples/export-story/replay/export-feature.replay.json: the scripted agent sessions
 * the demo's replay server answers with. The turns are a storyboard (export-storyboard.mjs)
 * of what a real agent does in each lane; the files the agents write come from
 * tools/demo/solution/, so the code in the JSON is real code that was run and tested, never
 * hand-escaped JSON. With `--agent claude-code`, the same storyboard in Claude Code's tools
 * (claude-code-storyboard.mjs); the demo builds that one when it runs, so it is not committed.
 *
 *   node tools/demo/build-replay.mjs                          regenerate the JSON
 *   node tools/demo/build-replay.mjs --check                  exit 1 when the committed JSON is out of date
 *   node tools/demo/build-replay.mjs --agent claude-code      print the Claude Code script (or --out FILE)
 *   node tools/demo/build-replay.mjs --from-goal              print the script of `npm run demo -- --from-goal`:
 *                                                             decompose's session first (decompose-storyboard.mjs)
 *
 * Before writing, every session is played against the fixture's files in memory: an edit whose
 * old text is not found exactly once, a Claude Code edit of a file it has not read in the
 * session, or a story whose end state differs from the solution, stops the build (the real
 * tools would refuse the same edit at replay time).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { toClaudeCodeSessions } from './claude-code-storyboard.mjs';
import { buildDecomposeSession } from './decompose-storyboard.mjs';
import { buildSessions, count, solution } from './export-storyboard.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const templateDir = join(repoRoot, 'examples', 'export-story');
export const REPLAY_FILE = join(templateDir, 'replay', 'export-feature.replay.json');
export const AGENTS = ['anthropic', 'claude-code'];

/** A file tool call of either provider, as one shape: what it does to which path. */
function readFileCall(block) {
  const { name, input } = block;
  if (name === 'read_file' || name === 'Read') return { op: 'read', path: input.path ?? input.file_path };
  if (name === 'write_file' || name === 'Write') return { op: 'write', path: input.path ?? input.file_path, content: input.content };
  if (name === 'edit_file' || name === 'Edit') {
    return { op: 'edit', path: input.path ?? input.file_path, oldText: input.old_text ?? input.old_string, newText: input.new_text ?? input.new_string };
  }
  return undefined;
}

/** Each lane's test command, from the example's plan: what Claude Code runs through Bash. */
function readLaneTests() {
  const { parseJson } = createRequire(import.meta.url)('@nx/devkit');
  const plan = parseJson(readFileSync(join(templateDir, 'features', 'export-feature', 'feature.jsonc'), 'utf8'));
  return Object.fromEntries(Object.entries(plan.lanes).map(([lane, { test }]) => [lane, test]));
}

/**
 * Self-check: plays every session on the fixture's files, as the write tools would; returns the
 * files written. `readBeforeWrite`: an edit, or a write over a file that exists, needs a read or
 * write of that file earlier in the same session (Claude Code refuses it otherwise).
 */
function playSessions(sessions, { readBeforeWrite = false } = {}) {
  const files = new Map();
  const read = (path) => {
    if (files.has(path)) return files.get(path);
    const file = join(templateDir, path);
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  };
  for (const session of sessions) {
    const known = new Set();
    for (const [t, { content }] of session.turns.entries()) {
      for (const block of content) {
        const call = block.type === 'tool_use' ? readFileCall(block) : undefined;
        if (!call) continue;
        const where = `${session.name} turn ${t} ${block.name} ${call.path}`;
        const text = read(call.path);
        if (readBeforeWrite && call.op !== 'read' && text !== undefined && !known.has(call.path)) {
          throw new Error(`${where}: the file exists and was not read in this session`);
        }
        known.add(call.path);
        if (call.op === 'write') files.set(call.path, call.content);
        if (call.op === 'read' && text === undefined) throw new Error(`${where}: no such file`);
        if (call.op === 'edit') {
          if (text === undefined) throw new Error(`${where}: no such file`);
          if (count(text, call.oldText) !== 1) throw new Error(`${where}: the old text must occur exactly once`);
          files.set(call.path, text.replace(call.oldText, () => call.newText));
        }
      }
    }
  }
  for (const [path, text] of files) {
    if (text !== solution(path)) throw new Error(`After the story, ${path} differs from tools/demo/solution/${path}`);
  }
  return [...files.keys()].sort();
}

/**
 * The replay script of the export story for `agent` (a provider name). `fromGoal`: decompose's
 * session comes first, in the same provider's tools; its plan is the example's, so the lane
 * sessions answer the lanes of the plan it writes.
 */
export function buildReplayScript({ agent = 'anthropic', fromGoal = false } = {}) {
  if (!AGENTS.includes(agent)) throw new Error(`No replay of the export story for agent ${agent}: one of ${AGENTS.join(', ')}`);
  const storyboard = buildSessions();
  const claudeCode = agent === 'claude-code';
  const laneTests = claudeCode ? readLaneTests() : {};
  const sessions = claudeCode ? toClaudeCodeSessions(storyboard, { testOf: (lane) => laneTests[lane] }) : storyboard;
  playSessions(sessions, { readBeforeWrite: claudeCode });
  if (fromGoal) sessions.unshift(buildDecomposeSession({ agent }));
  const origin = claudeCode
    ? 'Generated by tools/demo/build-replay.mjs --agent claude-code from tools/demo/solution/; do not edit. ' +
      'Replayed for Claude Code by the nx-agent-lanes loopback Messages API server in `npm run demo -- --agent claude-code`.'
    : 'Generated by tools/demo/build-replay.mjs from tools/demo/solution/; do not edit. ' +
      'Replayed by the nx-agent-lanes loopback Messages API server in `npm run demo` and e2e/story.e2e.spec.ts.';
  const decompose = fromGoal ? " With --from-goal, the decompose session first (tools/demo/decompose-storyboard.mjs), proposing examples/export-story's plan." : '';
  return {
    $comment: `${origin}${decompose}`,
    sessions: sessions.map(({ name, match, turns }) => ({ name, match, turns })),
  };
}

export function renderReplayScript(options) {
  return `${JSON.stringify(buildReplayScript(options), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values: args } = parseArgs({
    options: { check: { type: 'boolean' }, agent: { type: 'string', default: 'anthropic' }, 'from-goal': { type: 'boolean' }, out: { type: 'string' } },
  });
  if (!AGENTS.includes(args.agent)) {
    console.error(`--agent ${args.agent}: the export story has a replay for ${AGENTS.join(' and ')} only.`);
    process.exit(2);
  }
  const fromGoal = args['from-goal'] === true;
  const text = renderReplayScript({ agent: args.agent, fromGoal });
  const file = args.out ?? (args.agent === 'anthropic' && !fromGoal ? REPLAY_FILE : undefined);
  if (args.check) {
    if (args.agent !== 'anthropic' || fromGoal) {
      console.log(`The ${args.agent}${fromGoal ? ' --from-goal' : ''} script builds (${JSON.parse(text).sessions.length} sessions); it is not committed, so there is nothing to compare.`);
      process.exit(0);
    }
    const shown = relative(process.cwd(), REPLAY_FILE);
    const current = existsSync(REPLAY_FILE) ? readFileSync(REPLAY_FILE, 'utf8') : '';
    if (current !== text) {
      console.error(`${shown} is out of date: run node tools/demo/build-replay.mjs`);
      process.exit(1);
    }
    console.log(`${shown} is up to date.`);
  } else if (file) {
    writeFileSync(file, text);
    console.log(`Wrote ${relative(process.cwd(), file)}.`);
  } else {
    process.stdout.write(text);
  }
}
