import { StringDecoder } from 'node:string_decoder';
import type { TextStreamFilter } from '../provider';

export interface LineBufferOptions {
  /**
   * Sees the decoded text before it is cut into lines (a secret redactor): a cut made before
   * redaction could split a secret into two pieces that neither match.
   */
  filter?: TextStreamFilter;
  /**
   * Longest line handed out whole; a longer one comes out in pieces of this length. Without
   * it one line with no newline (a flood of 100 MB) would be held in memory entire.
   */
  maxLineChars?: number;
}

/** Pieces of an endless line are this long unless told otherwise: large enough for a JSON result record. */
export const DEFAULT_MAX_LINE_CHARS = 1024 * 1024;

/**
 * Cuts a byte stream into whole lines. A pipe delivers chunks that end anywhere, even inside
 * a UTF-8 character; handing out only whole lines is what keeps stdout and stderr from
 * garbling each other when both are logged as they arrive.
 */
export class LineBuffer {
  private readonly decoder = new StringDecoder('utf8');
  private readonly maxLineChars: number;
  /** The line being read, in the pieces it came in: joined only when it ends or a piece is due. */
  private pending: string[] = [];
  private pendingChars = 0;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly options: LineBufferOptions = {},
  ) {
    this.maxLineChars = Math.max(1, options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS);
  }

  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    this.take(this.options.filter ? this.options.filter.push(text) : text);
  }

  /** The stream is over: a last line without a newline is still a line. */
  end(): void {
    const filter = this.options.filter;
    const rest = this.decoder.end();
    this.take(filter ? filter.push(rest) + filter.end() : rest);
    if (this.pendingChars > 0) this.emit(this.drain());
  }

  private take(text: string): void {
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      this.hold(text.slice(start, end));
      this.emit(this.drain());
      start = end + 1;
    }
    if (start < text.length) this.hold(start === 0 ? text : text.slice(start));
  }

  /**
   * Adds to the line being read; while it is longer than the limit, hands out its leading
   * pieces. The rest stays, so a `\r\n` split between chunks is still seen as one line end.
   */
  private hold(text: string): void {
    if (text === '') return;
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars <= this.maxLineChars) return;
    let line = this.drain();
    while (line.length > this.maxLineChars) {
      const cut = pieceEnd(line, this.maxLineChars);
      this.onLine(line.slice(0, cut));
      line = line.slice(cut);
    }
    this.pending = line === '' ? [] : [line];
    this.pendingChars = line.length;
  }

  private drain(): string {
    const line = this.pending.length === 1 ? this.pending[0] : this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    return line;
  }

  private emit(line: string): void {
    this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  }
}

/** Length of a piece of `text`, at most `max`, that does not split a UTF-16 surrogate pair. */
function pieceEnd(text: string, max: number): number {
  const code = text.charCodeAt(max - 1);
  return max > 1 && code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}
