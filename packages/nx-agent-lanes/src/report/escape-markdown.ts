/**
 * Pure helpers that keep agent-written text (summaries, questions, paths, test output) from
 * being read as markdown or raw HTML when the report is pasted into a pull request.
 */

/**
 * Backslash-escapes the characters that would start markup, HTML or an entity. `|` is left
 * alone: only table cells need it escaped, and `escapeTableCell` does that once, last.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>~&#]/g, (ch) => `\\${ch}`);
}

/** One line of text for a table cell or a list item: newlines would end the row. */
export function escapeInline(text: string): string {
  return escapeMarkdown(flattenLines(text).trim());
}

/**
 * A finished cell: GitHub splits rows on every unescaped `|`, even inside code spans, and
 * unescapes `\|` before reading the cell's inline markup, so this runs after everything else.
 */
export function escapeTableCell(markdown: string): string {
  return markdown.replace(/\|/g, '\\|');
}

/** A code span that survives backticks in its content, by using a longer delimiter. */
export function renderCodeSpan(text: string): string {
  const flat = text.replace(/\n/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A fenced block whose fence is longer than any backtick run inside, so content cannot close it. */
export function renderFence(text: string, info = ''): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text.replace(/\n+$/, '')}\n${fence}`;
}

/** Text with `code` spans (as planNextSteps writes them): the code kept as code, the rest escaped. */
export function renderInlineMarkdown(text: string): string {
  return splitCodeSpans(text)
    .map((part) => (part.code ? renderCodeSpan(part.text) : escapeMarkdown(flattenLines(part.text))))
    .join('')
    .trim();
}

function flattenLines(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/** Splits on single-backtick code spans; an unpaired backtick stays text. */
export function splitCodeSpans(text: string): Array<{ text: string; code: boolean }> {
  const parts: Array<{ text: string; code: boolean }> = [];
  const pattern = /`([^`]+)`/g;
  let last = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (match.index > last) parts.push({ text: text.slice(last, match.index), code: false });
    parts.push({ text: match[1], code: true });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), code: false });
  return parts;
}
