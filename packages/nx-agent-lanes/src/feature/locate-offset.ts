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
  const starts = findLineStarts(text);
  // The last line starting at or before `end`: a binary search, since readFeature locates every
  // owned entry of a plan that may hold thousands of lanes, and scanning from the top each time
  // made that quadratic in the plan's size.
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (starts[mid] <= end) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: end - starts[lo] + 1 };
}

let lastText: string | undefined;
let lastStarts: number[] = [0];

/** Where each line of `text` starts, for the text seen last (one plan is located many times over). */
function findLineStarts(text: string): number[] {
  if (text === lastText) return lastStarts;
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10 /* \n */ || (ch === 13 /* \r */ && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  lastText = text;
  lastStarts = starts;
  return starts;
}
