import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLines } from '../agents/split-lines';
import type { Decomposer, DecomposerInput, DecomposerResult } from './decompose-types';
import { MAX_PROPOSAL_FILE_BYTES, readProposalFolder } from './read-proposal-folder';

/** Lines of a failed command's output kept for its reason. */
const TAIL_LINES = 20;

/**
 * The `command` protocol: any agent or script decomposes. Each round the command runs in the
 * workspace root with the prompt on standard input and in the file named by
 * `DECOMPOSE_PROMPT_FILE`, and writes its proposal into the folder named by
 * `DECOMPOSE_OUTPUT_DIR` (`feature.jsonc`, `contract.md`, `lanes/<lane>.md`). A later round's
 * prompt carries the problems with the previous proposal.
 */
export function createCommandDecomposer(command: string): Decomposer {
  return {
    name: 'command',
    howToPropose:
      'Write your plan as files into the folder named by the environment variable DECOMPOSE_OUTPUT_DIR: ' +
      '`feature.jsonc`, `contract.md` and `lanes/<lane>.md` for each lane. Write nothing else, anywhere.',
    propose: (input) => proposeWithCommand(command, input),
  };
}

async function proposeWithCommand(command: string, input: DecomposerInput): Promise<DecomposerResult> {
  let prompt = input.task;
  for (let round = 1; ; round++) {
    if (input.signal.aborted) return { status: 'failed', reason: 'interrupted' };
    const roundDir = join(input.scratchDir, `round-${round}`);
    const outputDir = join(roundDir, 'proposal');
    mkdirSync(outputDir, { recursive: true });
    const promptFile = join(roundDir, 'prompt.md');
    const text = `${input.system}\n\n${prompt}`;
    writeFileSync(promptFile, text);
    input.log(`round ${round}: running \`${command}\` (prompt in DECOMPOSE_PROMPT_FILE, proposal into DECOMPOSE_OUTPUT_DIR)`);
    const run = await runCommand(command, text, {
      cwd: input.workspaceRoot,
      env: { ...input.env, DECOMPOSE_PROMPT_FILE: promptFile, DECOMPOSE_OUTPUT_DIR: outputDir, DECOMPOSE_ROUND: String(round), DECOMPOSE_FEATURE: input.feature },
      signal: input.signal,
      log: input.log,
    });
    if (input.signal.aborted) return { status: 'failed', reason: 'interrupted' };
    if (run.code !== 0) {
      const how = run.signal ? `was killed by ${run.signal}` : `exited with code ${run.code}`;
      return { status: 'failed', reason: `\`${command}\` ${how}${run.tail.length ? `; its last lines:\n${run.tail.map((l) => `  ${l}`).join('\n')}` : ''}` };
    }
    const { proposal, oversized } = readProposalFolder(outputDir);
    if (oversized.length) return { status: 'failed', reason: `\`${command}\` wrote files too big for a plan (over ${MAX_PROPOSAL_FILE_BYTES} bytes, or too many): ${oversized.slice(0, 5).join(', ')}` };
    if (Object.keys(proposal.files).length === 0) {
      return { status: 'failed', reason: `\`${command}\` exited 0 but wrote nothing into DECOMPOSE_OUTPUT_DIR: write feature.jsonc, contract.md and lanes/<lane>.md there` };
    }
    const review = await input.review(proposal);
    if (review.accepted || review.roundsLeft === 0) return { status: 'finished' };
    prompt = input.retryPrompt(review, proposal);
  }
}

interface CommandRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  tail: string[];
}

function runCommand(command: string, stdin: string, o: { cwd: string; env: NodeJS.ProcessEnv; signal: AbortSignal; log: (line: string) => void }): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    // Its own process group, so an interrupt stops whatever the shell started too.
    const child = spawn(command, { cwd: o.cwd, env: o.env, shell: true, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const onLine = (line: string) => {
      o.log(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    };
    readLines(child.stdout, onLine);
    readLines(child.stderr, onLine);
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    o.signal.addEventListener('abort', kill, { once: true });
    child.stdin.on('error', () => undefined); // a command that never reads its input
    child.stdin.end(stdin);
    child.on('error', (error) => {
      o.signal.removeEventListener('abort', kill);
      reject(error);
    });
    child.on('close', (code, signal) => {
      o.signal.removeEventListener('abort', kill);
      resolve({ code, signal, tail });
    });
  });
}
