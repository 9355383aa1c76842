/** Pure HTML escaping for the report page: every value from a lane or a plan passes through here. */
import { splitCodeSpans } from './escape-markdown';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe in text and in double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch]);
}

/** Text with `code` spans (as planNextSteps writes them), as HTML with <code> elements. */
export function renderInlineHtml(text: string): string {
  return splitCodeSpans(text)
    .map((part) => (part.code ? `<code>${escapeHtml(part.text)}</code>` : escapeHtml(part.text)))
    .join('');
}
