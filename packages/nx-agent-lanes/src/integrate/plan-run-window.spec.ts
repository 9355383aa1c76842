import { planRunWindow } from './plan-run-window';

const MIN = 60_000;

describe('planRunWindow', () => {
  it('takes every lane of a run that just happened', () => {
    const { runStart, ranNow } = planRunWindow({
      integrateStart: 10 * MIN,
      lanes: [
        { name: 'a', start: 5 * MIN, end: 8 * MIN },
        { name: 'b', start: 5 * MIN, end: 9 * MIN },
      ],
      others: [{ start: 9 * MIN, end: 9.9 * MIN }],
    });
    expect([...ranNow].sort()).toEqual(['a', 'b']);
    expect(runStart).toBe(5 * MIN);
  });

  it('leaves out lanes restored from cache, made by an earlier run', () => {
    const { runStart, ranNow } = planRunWindow({
      integrateStart: 100 * MIN,
      lanes: [
        { name: 'old', start: 1 * MIN, end: 3 * MIN },
        { name: 'fixed', start: 95 * MIN, end: 98 * MIN },
      ],
      others: [{ start: 98 * MIN, end: 99.5 * MIN }],
    });
    expect([...ranNow]).toEqual(['fixed']);
    expect(runStart).toBe(95 * MIN);
  });

  it('follows a chain of lanes (after) and verifications back to the first', () => {
    const { ranNow } = planRunWindow({
      integrateStart: 30 * MIN,
      lanes: [
        { name: 'api', start: 10 * MIN, end: 20 * MIN },
        { name: 'web', start: 20.5 * MIN, end: 29 * MIN },
      ],
    });
    expect([...ranNow].sort()).toEqual(['api', 'web']);
  });

  it('says nothing ran when integrate runs alone, long after every lane', () => {
    const { runStart, ranNow } = planRunWindow({
      integrateStart: 1000 * MIN,
      lanes: [{ name: 'a', start: 1 * MIN, end: 2 * MIN }],
    });
    expect(ranNow.size).toBe(0);
    expect(runStart).toBe(1000 * MIN);
  });
});
