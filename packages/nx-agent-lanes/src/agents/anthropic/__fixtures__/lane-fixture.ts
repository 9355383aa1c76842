import { createTestRunner } from '../../../stage/__fixtures__/test-runner';
import type Anthropic from '@anthropic-ai/sdk';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { resolveAgentConfig } from '../../../feature/default-agent';
import type { AgentConfigInput } from '../../../feature/feature-types';
import type { AnthropicRunInput } from '../anthropic-provider';

/*
 * Test helpers for the anthropic provider: throwaway worktrees (plain temp folders, no git) and
 * run inputs that record what the provider logs and transcribes.
 */

export const MODEL = 'claude-sonnet-4-6';

const tempDirs: string[] = [];

/** A temp folder holding `files` (path → content); removed by `removeTempDirs`. */
export async function createTempTree(files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lanes-anthropic-'));
  tempDirs.push(dir);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Every file under `dir` (relative path → content), .git included, links not followed. */
export async function readTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string) => {
    for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile()) out[child] = await readFile(path.join(dir, child), 'utf8');
    }
  };
  await walk('');
  return out;
}

/** About 2,500 tokens of rules, so the shared prefix is above the replay server's caching minimum. */
export const LONG_SYSTEM = [
  '# Feature: export',
  'You are one of several AI coding agents building this feature together.',
  ...Array.from({ length: 120 }, (_, i) => `Rule ${i + 1}: keep to the contract, change only your own files, test what you build.`),
].join('\n');

export interface Recorder {
  lines: string[];
  events: Array<Record<string, unknown>>;
}

export interface RunInputOptions {
  worktree: string;
  /** A marker the replay session matches on. */
  scenario: string;
  agent?: AgentConfigInput;
  testCommand?: string;
  owns?: string[];
  forbids?: string[];
  otherLanes?: Array<{ name: string; owns: string[] }>;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  extra?: Partial<AnthropicRunInput>;
}

export function buildRunInput(options: RunInputOptions): { input: AnthropicRunInput; recorder: Recorder } {
  const recorder: Recorder = { lines: [], events: [] };
  const task = `# Your lane: backend\n\nSCENARIO: ${options.scenario}\n\nBuild the export route.`;
  const input: AnthropicRunInput = {
    feature: 'export',
    lane: 'backend',
    worktree: options.worktree,
    prompt: { system: LONG_SYSTEM, task, full: `${LONG_SYSTEM}\n${task}` },
    agent: resolveAgentConfig({ feature: { model: MODEL, ...options.agent } }),
    testCommand: options.testCommand ?? 'node -e "process.exit(0)"',
    ownership: {
      owns: options.owns ?? ['src/**'],
      forbids: options.forbids ?? [],
      otherLanes: options.otherLanes ?? [],
    },
    env: options.env ?? { PATH: process.env.PATH },
    testEnv: options.env ?? { PATH: process.env.PATH },
    runProcess: createTestRunner({ worktree: options.worktree }),
    signal: options.signal ?? new AbortController().signal,
    log: (line) => recorder.lines.push(line),
    transcript: (event) => recorder.events.push(event),
    scratchDir: options.worktree,
    ...options.extra,
  };
  return { input, recorder };
}

/** The conversation of the run's final `state` event. */
export function readState(recorder: Recorder): Anthropic.MessageParam[] {
  const state = recorder.events.filter((e) => e.type === 'state').pop();
  if (!state) throw new Error('the run wrote no state event');
  return state.messages as Anthropic.MessageParam[];
}

/** The tool results the run sent back, in order. */
export function readToolResults(recorder: Recorder): Array<{ name: string; is_error: boolean; content: string; turn: number }> {
  return recorder.events.filter((e) => e.type === 'tool_result') as never;
}

/** Asserts the API's pairing rule: each assistant tool_use is answered in the next user message. */
export function findUnansweredToolUses(messages: readonly Anthropic.MessageParam[]): string[] {
  const missing: string[] = [];
  messages.forEach((message, i) => {
    if (message.role !== 'assistant' || typeof message.content === 'string') return;
    const next = messages[i + 1];
    const answered = new Set(
      next && typeof next.content !== 'string'
        ? next.content.flatMap((b) => (b.type === 'tool_result' ? [b.tool_use_id] : []))
        : [],
    );
    for (const block of message.content) if (block.type === 'tool_use' && !answered.has(block.id)) missing.push(block.id);
  });
  return missing;
}
