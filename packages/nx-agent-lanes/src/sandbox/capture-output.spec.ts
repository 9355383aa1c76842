import { OutputCapture, type OutputStream } from './capture-output';

function capture(capBytes: number) {
  const lines: [string, OutputStream][] = [];
  const output = new OutputCapture({ capBytes, onLine: (line, stream) => lines.push([line, stream]) });
  return { output, lines };
}

describe('OutputCapture', () => {
  it('hands out whole lines per stream, joining chunks that split a line or a UTF-8 character', () => {
    const { output, lines } = capture(1000);
    const euro = Buffer.from('€');
    output.push('stdout', Buffer.from('one\ntw'));
    output.push('stderr', Buffer.from('err line\r\n'));
    output.push('stdout', Buffer.concat([Buffer.from('o '), euro.subarray(0, 1)]));
    output.push('stdout', Buffer.concat([euro.subarray(1), Buffer.from('\nlast')]));
    expect(output.end()).toEqual({ totalBytes: 26, droppedBytes: 0, lastStdoutLine: 'last', stderrTail: ['err line'] });
    expect(lines).toEqual([['one', 'stdout'], ['err line', 'stderr'], ['two €', 'stdout'], ['last', 'stdout']]);
  });

  it('stops at the cap across both streams, cuts at a character boundary, and ends with one marker', () => {
    const { output, lines } = capture(10);
    output.push('stdout', Buffer.from('12345\n'));
    output.push('stderr', Buffer.from('ab€cd\n'));
    output.push('stdout', Buffer.from('x'.repeat(1000)));
    // The closing stdout line came past the cap, whole: it is still known.
    expect(output.end()).toEqual({ totalBytes: 1014, droppedBytes: 1006, lastStdoutLine: 'x'.repeat(1000), stderrTail: ['ab'] });
    expect(lines).toEqual([
      ['12345', 'stdout'],
      // 4 bytes of room: `ab` and half a `€`, which is not handed out.
      ['ab', 'stderr'],
      ['[nx-agent-lanes: output cap of 10 B reached; 1006 B more dropped (raise limits.outputBytes in feature.jsonc to keep more)]', 'stderr'],
    ]);
  });

  it('still knows the closing lines past the cap, whole and filtered afresh, without handing them out', () => {
    const redact = () => {
      let held = '';
      return { push: (t: string) => { const all = (held + t).split('KEY').join('[k]'); held = ''; return all; }, end: () => held };
    };
    const lines: Array<[string, string]> = [];
    const output = new OutputCapture({ capBytes: 8, onLine: (line, stream) => lines.push([line, stream]), createFilter: redact });
    output.push('stdout', Buffer.from('first\n'));
    output.push('stdout', Buffer.from('y'.repeat(300 * 1024) + 'KEY-tail-of-a-cut-line\n{"type":"result","with":"KEY"}\n'));
    output.push('stderr', Buffer.from('e1\ne2\n'));
    const ending = output.end();
    expect(ending.lastStdoutLine).toBe('{"type":"result","with":"[k]"}');
    expect(ending.stderrTail).toEqual(['e1', 'e2']);
    expect(lines.map(([line]) => line).join('\n')).not.toContain('result');
  });
});
