/** A 1-based position in a text, as editors and `file:line:column` links count it. */
export interface TextPosition {
  line: number;
  column: number;
}

/**
 * Turns a 0-based character offset (what jsonc-parser reports) into a 1-based line and column.
 * `\r\n`, `\n` and a lone `\r` each end a line, so positions match what an editor shows.
 */
export function locateOffset(text: string, offset: number): TextPosition {
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10 /* \n */ || (ch === 13 /* \r */ && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
