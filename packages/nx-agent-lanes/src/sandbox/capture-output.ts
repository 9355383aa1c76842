import { StringDecoder } from 'node:string_decoder';
import { formatBytes } from './format-bytes';

export type OutputStream = 'stdout' | 'stderr';

/** A stateful text transform over one stream (a secret redactor): what it holds back it gives out later. */
export interface TextFilter {
  push(text: string): string;
  end(): string;
}

export interface CaptureOutputOptions {
  /** Bytes of output (both streams together, after the filter) handed out; the rest is dropped. */
  capBytes: number;
  onLine: (line: string, stream: OutputStream) => void;
  /**
   * Made once per stream. It sees the text before the cap or a line break cuts it: a cut made
   * first could split a secret into pieces that no longer match.
   */
  createFilter?: () => TextFilter;
}

interface StreamState {
  decoder: StringDecoder;
  filter?: TextFilter;
  pending: string;
  /** Past the cap: the last raw bytes, so the closing lines are still known (a CLI's result record). */
  rawTail: Buffer;
  /** Whether `rawTail` begins inside a line (the one the cap cut, or one whose start was let go). */
  rawTailMidLine: boolean;
  /** The last non-empty lines seen, oldest first. */
  last: string[];
}

/** What a run's output ended with: what decides an agent's result when it prints a record last. */
export interface OutputEnding {
  /** The last non-empty stdout line. */
  lastStdoutLine?: string;
  /** The last non-empty stderr lines, oldest first. */
  stderrTail: string[];
}

/** Raw bytes kept per stream past the cap; a closing line longer than this is not known. */
const RAW_TAIL_BYTES = 256 * 1024;
const KEPT_LINES: Record<OutputStream, number> = { stdout: 1, stderr: 10 };

/**
 * Turns a process's two output streams into whole lines, up to a byte cap. Past the cap nothing
 * is decoded, filtered or kept, only counted, so a flood of output costs neither memory nor time;
 * one marker line at the end says how much was dropped.
 */
export class OutputCapture {
  private readonly streams: Record<OutputStream, StreamState>;
  private keptBytes = 0;
  private droppedBytes = 0;
  private totalBytes = 0;
  private capped = false;

  constructor(private readonly options: CaptureOutputOptions) {
    const state = (): StreamState => ({ decoder: new StringDecoder('utf8'), filter: options.createFilter?.(), pending: '', rawTail: Buffer.alloc(0), rawTailMidLine: false, last: [] });
    this.streams = { stdout: state(), stderr: state() };
  }

  push(stream: OutputStream, chunk: Buffer): void {
    this.totalBytes += chunk.length;
    const state = this.streams[stream];
    if (this.capped) {
      this.droppedBytes += chunk.length;
      this.appendRawTail(state, chunk);
      return;
    }
    const text = state.decoder.write(chunk);
    this.take(stream, state.filter ? state.filter.push(text) : text);
  }

  /** Both streams are over: hands out the last partial lines and the marker, and says what was seen. */
  end(): { totalBytes: number; droppedBytes: number } & OutputEnding {
    for (const stream of ['stdout', 'stderr'] as const) {
      const state = this.streams[stream];
      if (!this.capped) {
        const rest = state.decoder.end();
        this.take(stream, state.filter ? state.filter.push(rest) + state.filter.end() : rest);
      }
      this.flush(stream);
      this.readRawTail(stream);
    }
    if (this.droppedBytes > 0) {
      this.options.onLine(`[nx-agent-lanes: output cap of ${formatBytes(this.options.capBytes)} reached; ${formatBytes(this.droppedBytes)} more dropped (raise limits.outputBytes in feature.jsonc to keep more)]`, 'stderr');
    }
    return { totalBytes: this.totalBytes, droppedBytes: this.droppedBytes, lastStdoutLine: this.streams.stdout.last[0], stderrTail: [...this.streams.stderr.last] };
  }

  /**
   * The whole lines of what came past the cap, filtered afresh: the bytes before the first line
   * break are the end of a line already cut, and a secret in them could be only part of one.
   */
  private readRawTail(stream: OutputStream): void {
    const state = this.streams[stream];
    const start = state.rawTailMidLine ? state.rawTail.indexOf(0x0a) + 1 : 0;
    if (start === 0 && state.rawTailMidLine) return;
    const filter = this.options.createFilter?.();
    const decoded = new StringDecoder('utf8').write(state.rawTail.subarray(start));
    const text = filter ? filter.push(decoded) + filter.end() : decoded;
    for (const line of text.split('\n')) this.remember(stream, line.endsWith('\r') ? line.slice(0, -1) : line);
    state.rawTail = Buffer.alloc(0);
  }

  private appendRawTail(state: StreamState, bytes: Buffer): void {
    const all = Buffer.concat([state.rawTail, bytes]);
    if (all.length > RAW_TAIL_BYTES) state.rawTailMidLine = true;
    state.rawTail = keepLast(all, RAW_TAIL_BYTES);
  }

  private remember(stream: OutputStream, line: string): void {
    if (line.trim() === '') return;
    const { last } = this.streams[stream];
    if (last.push(line) > KEPT_LINES[stream]) last.shift();
  }

  private take(stream: OutputStream, text: string): void {
    if (text === '' || this.capped) return;
    const bytes = Buffer.byteLength(text);
    const room = this.options.capBytes - this.keptBytes;
    let kept = text;
    if (bytes > room) {
      // Cut at a character boundary: the decoder drops a partial character at the end.
      kept = new StringDecoder('utf8').write(Buffer.from(text).subarray(0, room));
      this.droppedBytes += bytes - Buffer.byteLength(kept);
      this.capped = true;
      // The rest of this piece is the start of what the closing lines are read from.
      this.appendRawTail(this.streams[stream], Buffer.from(text).subarray(Buffer.byteLength(kept)));
    }
    this.keptBytes += Buffer.byteLength(kept);
    const state = this.streams[stream];
    const lines = (state.pending + kept).split('\n');
    state.pending = lines.pop() ?? '';
    for (const line of lines) this.emit(line, stream);
    if (this.capped) {
      for (const s of ['stdout', 'stderr'] as const) {
        // A line handed out unfinished goes on in what comes past the cap.
        if (this.streams[s].pending !== '') this.streams[s].rawTailMidLine = true;
        this.flush(s);
      }
    }
  }

  private flush(stream: OutputStream): void {
    const state = this.streams[stream];
    if (state.pending !== '') this.emit(state.pending, stream);
    state.pending = '';
  }

  private emit(line: string, stream: OutputStream): void {
    const whole = line.endsWith('\r') ? line.slice(0, -1) : line;
    this.remember(stream, whole);
    this.options.onLine(whole, stream);
  }
}

function keepLast(buffer: Buffer, bytes: number): Buffer {
  return buffer.length <= bytes ? buffer : Buffer.from(buffer.subarray(buffer.length - bytes));
}
