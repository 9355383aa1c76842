import { StringDecoder } from 'node:string_decoder';

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
}

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
    const state = (): StreamState => ({ decoder: new StringDecoder('utf8'), filter: options.createFilter?.(), pending: '' });
    this.streams = { stdout: state(), stderr: state() };
  }

  push(stream: OutputStream, chunk: Buffer): void {
    this.totalBytes += chunk.length;
    if (this.capped) {
      this.droppedBytes += chunk.length;
      return;
    }
    const state = this.streams[stream];
    const text = state.decoder.write(chunk);
    this.take(stream, state.filter ? state.filter.push(text) : text);
  }

  /** Both streams are over: hands out the last partial lines and the marker, and says what was seen. */
  end(): { totalBytes: number; droppedBytes: number } {
    for (const stream of ['stdout', 'stderr'] as const) {
      const state = this.streams[stream];
      if (!this.capped) {
        const rest = state.decoder.end();
        this.take(stream, state.filter ? state.filter.push(rest) + state.filter.end() : rest);
      }
      this.flush(stream);
    }
    if (this.droppedBytes > 0) {
      this.options.onLine(`[nx-agent-lanes: output cap of ${this.options.capBytes} bytes reached; ${this.droppedBytes} more bytes dropped]`, 'stderr');
    }
    return { totalBytes: this.totalBytes, droppedBytes: this.droppedBytes };
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
    }
    this.keptBytes += Buffer.byteLength(kept);
    const state = this.streams[stream];
    const lines = (state.pending + kept).split('\n');
    state.pending = lines.pop() ?? '';
    for (const line of lines) this.emit(line, stream);
    if (this.capped) {
      this.flush('stdout');
      this.flush('stderr');
    }
  }

  private flush(stream: OutputStream): void {
    const state = this.streams[stream];
    if (state.pending !== '') this.emit(state.pending, stream);
    state.pending = '';
  }

  private emit(line: string, stream: OutputStream): void {
    this.options.onLine(line.endsWith('\r') ? line.slice(0, -1) : line, stream);
  }
}
