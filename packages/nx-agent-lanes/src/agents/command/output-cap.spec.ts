import { OutputCap, formatBytes } from './output-cap';

describe('OutputCap', () => {
  it('admits lines while they fit, then drops every later line, counting what it dropped', () => {
    const cap = new OutputCap(10);
    expect(cap.admit('abcd')).toBe(true); // 5 bytes with its newline
    expect(cap.admit('é')).toBe(true); // 3
    expect(cap.admit('abc')).toBe(false); // 4 would make 12
    expect(cap.admit('')).toBe(false); // would fit, but the cap was reached: the rest is dropped
    expect(cap.droppedBytes).toBe(5);
    expect(cap.droppedLines).toBe(2);
    expect(cap.describeDropped('agent output', '`limits.outputBytes`')).toBe(
      '… 5 B (2 lines) of agent output dropped past its 10 B cap; raise `limits.outputBytes` in feature.jsonc to keep more',
    );
  });

  it('says nothing when nothing was dropped', () => {
    const cap = new OutputCap(1024);
    cap.admit('short');
    expect(cap.describeDropped('output', 'x')).toBeUndefined();
  });

  it('formats sizes for a person', () => {
    expect([812, 3584, 96 * 1024 * 1024 + 512 * 1024, 8 * 1024 * 1024].map(formatBytes)).toEqual(['812 B', '3.5 KiB', '96.5 MiB', '8 MiB']);
  });
});
