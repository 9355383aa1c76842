import { locateOffset } from './locate-offset';

describe('locateOffset', () => {
  it('counts \\n, \\r\\n and a lone \\r as line ends, 1-based', () => {
    const text = 'ab\ncd\r\nef\rgh';
    expect([0, 1, 2, 3, 5, 6, 7, 8, 10, 12, 99].map((offset) => locateOffset(text, offset))).toEqual([
      { line: 1, column: 1 },
      { line: 1, column: 2 },
      { line: 1, column: 3 },
      { line: 2, column: 1 },
      { line: 2, column: 3 },
      { line: 2, column: 4 },
      { line: 3, column: 1 },
      { line: 3, column: 2 },
      { line: 4, column: 1 },
      { line: 4, column: 3 },
      { line: 4, column: 3 },
    ]);
    expect(locateOffset(text, -4)).toEqual({ line: 1, column: 1 });
  });

  it('answers for each text it is given, when texts alternate', () => {
    expect(locateOffset('a\nb', 2)).toEqual({ line: 2, column: 1 });
    expect(locateOffset('a\n\nb', 3)).toEqual({ line: 3, column: 1 });
    expect(locateOffset('a\nb', 2)).toEqual({ line: 2, column: 1 });
    expect(locateOffset('', 0)).toEqual({ line: 1, column: 1 });
  });

  it('locates every line of a long text', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `line ${i}`).join('\n');
    let offset = 0;
    for (let i = 0; i < 5000; i += 499) {
      offset = text.indexOf(`line ${i}`);
      expect(locateOffset(text, offset + 2)).toEqual({ line: i + 1, column: 3 });
    }
  });
});
