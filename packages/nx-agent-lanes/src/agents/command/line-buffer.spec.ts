import { StreamRedactor } from '../../lanes/redact-secrets';
import { LineBuffer } from './line-buffer';

describe('LineBuffer', () => {
  it('hands out whole lines across chunk boundaries and keeps the last unterminated one', () => {
    const lines: string[] = [];
    const buffer = new LineBuffer((line) => lines.push(line));
    buffer.push(Buffer.from('one\ntw'));
    expect(lines).toEqual(['one']);
    buffer.push(Buffer.from('o\r\nthree\n\nfour'));
    expect(lines).toEqual(['one', 'two', 'three', '']);
    buffer.end();
    expect(lines).toEqual(['one', 'two', 'three', '', 'four']);
  });

  it('does not split a UTF-8 character cut between two chunks', () => {
    const lines: string[] = [];
    const buffer = new LineBuffer((line) => lines.push(line));
    const bytes = Buffer.from('prix: 5 €\n');
    const cut = bytes.indexOf(0xe2) + 1; // inside the three bytes of the euro sign
    buffer.push(bytes.subarray(0, cut));
    buffer.push(bytes.subarray(cut));
    buffer.end();
    expect(lines).toEqual(['prix: 5 €']);
  });

  it('hands out a line longer than the limit in pieces, so an endless line is never held whole', () => {
    const lines: string[] = [];
    const buffer = new LineBuffer((line) => lines.push(line), { maxLineChars: 4 });
    buffer.push('abcdefghij');
    expect(lines).toEqual(['abcd', 'efgh']);
    buffer.push('k\r\nxy\n');
    buffer.end();
    expect(lines).toEqual(['abcd', 'efgh', 'ijk', 'xy']);
  });

  it('redacts before it cuts: a secret across a piece boundary or a chunk boundary comes out whole', () => {
    const key = 'fake-key-marker-0123456789abcdef';
    const lines: string[] = [];
    const buffer = new LineBuffer((line) => lines.push(line), {
      filter: new StreamRedactor([{ name: 'ANTHROPIC_API_KEY', value: key }]),
      maxLineChars: 40,
    });
    // The key starts at character 30 of a 40-character piece, and its chunk ends mid-key.
    buffer.push(Buffer.from(`${'x'.repeat(30)}${key.slice(0, 12)}`));
    buffer.push(Buffer.from(`${key.slice(12)}${'y'.repeat(60)}\n`));
    buffer.end();
    expect(lines.join('')).toBe(`${'x'.repeat(30)}[redacted ANTHROPIC_API_KEY]${'y'.repeat(60)}`);
    for (const line of lines) {
      expect(line.length).toBeLessThanOrEqual(40);
      expect(line).not.toMatch(/fake-key-marker|0123456789abcdef/);
    }
  });
});
