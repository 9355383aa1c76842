import { existsSync, readFileSync } from 'node:fs';
import { parseLaneNotes } from '../notes/lane-notes';

export interface WaitForAnswerOptions {
  notesFile: string;
  lane: string;
  /** Answers the lane already had when it blocked; the next one is the answer. */
  knownAnswers: number;
  signal: AbortSignal;
  pollMs?: number;
}

/**
 * Waits `ms`, or less when `signal` aborts. Its abort listener goes with the timer: a wait of
 * hours polls thousands of times, and listeners left on the task's signal would pile up
 * (MaxListenersExceededWarning) for as long as the lane waits.
 */
function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Polls the lane's notes file until the lane has one more answer; undefined when aborted. */
export async function waitForLaneAnswer(options: WaitForAnswerOptions): Promise<string | undefined> {
  const pollMs = options.pollMs ?? 1000;
  while (!options.signal.aborted) {
    if (existsSync(options.notesFile)) {
      try {
        const answers = parseLaneNotes(readFileSync(options.notesFile, 'utf8')).answers;
        if (answers.length > options.knownAnswers) return answers[answers.length - 1].answer;
      } catch {
        // Half-written file: read it again on the next poll.
      }
    }
    await sleepUnlessAborted(pollMs, options.signal);
  }
  return undefined;
}
