/** Text arriving in chunks, handed on as whole non-blank lines; `end()` hands on the last one. */
export function createLineSplitter(onLine: (line: string) => void): { push(chunk: string): void; end(): void } {
  let rest = '';
  return {
    push(chunk) {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const part of parts) if (part.trim()) onLine(part);
    },
    end() {
      if (rest.trim()) onLine(rest);
      rest = '';
    },
  };
}

/** The lines of a stream, as createLineSplitter hands them on. */
export function readLines(stream: NodeJS.ReadableStream | null | undefined, onLine: (line: string) => void): void {
  if (!stream) return;
  const lines = createLineSplitter(onLine);
  stream.setEncoding?.('utf8');
  stream.on('data', (chunk: string) => lines.push(chunk));
  stream.on('end', () => lines.end());
}
