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
});
