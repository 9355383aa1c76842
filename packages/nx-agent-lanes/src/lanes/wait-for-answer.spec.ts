import { getEventListeners } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForLaneAnswer } from './wait-for-answer';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nx-agent-lanes-wait-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const notes = (answers: string[]) => JSON.stringify({ answers: answers.map((answer, i) => ({ question: `q${i}`, answer })) });

describe('waitForLaneAnswer', () => {
  it('polls for hundreds of rounds with at most one abort listener on the signal, and none left after', async () => {
    const file = join(dir, 'ask.jsonc');
    writeFileSync(file, notes(['earlier']));
    const control = new AbortController();
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const most = { listeners: 0 };
    const watch = setInterval(() => (most.listeners = Math.max(most.listeners, getEventListeners(control.signal, 'abort').length)), 1);
    try {
      const waiting = waitForLaneAnswer({ notesFile: file, lane: 'ask', knownAnswers: 1, signal: control.signal, pollMs: 1 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      writeFileSync(file, notes(['earlier', 'the answer']));
      expect(await waiting).toBe('the answer');
    } finally {
      clearInterval(watch);
      process.off('warning', onWarning);
    }
    expect(most.listeners).toBeLessThanOrEqual(1);
    expect(getEventListeners(control.signal, 'abort')).toHaveLength(0);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('gives undefined at once when the signal aborts, and leaves no listener', async () => {
    const control = new AbortController();
    const waiting = waitForLaneAnswer({ notesFile: join(dir, 'none.jsonc'), lane: 'ask', knownAnswers: 0, signal: control.signal, pollMs: 60_000 });
    control.abort();
    expect(await waiting).toBeUndefined();
    expect(getEventListeners(control.signal, 'abort')).toHaveLength(0);
  });
});
