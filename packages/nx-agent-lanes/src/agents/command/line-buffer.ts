import { StringDecoder } from 'node:string_decoder';

/**
 * Cuts a byte stream into whole lines. A pipe delivers chunks that end anywhere, even inside
 * a UTF-8 character; handing out only whole lines is what keeps stdout and stderr from
 * garbling each other when both are logged as they arrive.
 */
export class LineBuffer {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let end = this.pending.indexOf('\n');
    while (end !== -1) {
      this.emit(this.pending.slice(0, end));
      this.pending = this.pending.slice(end + 1);
      end = this.pending.indexOf('\n');
    }
  }

  /** The stream is over: a last line without a newline is still a line. */
  end(): void {
    this.pending += this.decoder.end();
    if (this.pending !== '') this.emit(this.pending);
    this.pending = '';
  }

  private emit(line: string): void {
    this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  }
}
