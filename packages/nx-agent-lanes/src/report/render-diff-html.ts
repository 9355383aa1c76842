/**
 * Pure: one file's unified diff as an HTML table with old/new line numbers and coloured
 * lines (+ green, - red, @@ grey), the way a reviewer is used to reading them.
 */
import { escapeHtml } from './escape-html';
import type { FileDiff } from './split-diff';

interface DiffRow {
  kind: 'add' | 'del' | 'ctx' | 'hunk' | 'note';
  old?: number;
  new?: number;
  text: string;
}

export function renderDiffHtml(diff: FileDiff): string {
  const { rows, header } = readDiffRows(diff.text);
  const added = rows.filter((r) => r.kind === 'add').length;
  const removed = rows.filter((r) => r.kind === 'del').length;
  const badge = header.find((h) => /^(new file|deleted file|rename|similarity|Binary|GIT binary)/.test(h));
  const body = rows.length
    ? rows.map(renderRow).join('')
    : `<tr class="ln-note"><td class="num"></td><td class="num"></td><td class="code">${escapeHtml(badge ?? 'no textual change')}</td></tr>`;
  return (
    `<div class="diff" data-file="${escapeHtml(diff.path)}">` +
    `<div class="diff-header"><code class="diff-path">${escapeHtml(diff.path)}</code>` +
    (badge ? `<span class="diff-badge">${escapeHtml(describeBadge(badge))}</span>` : '') +
    `<span class="diff-stat"><span class="stat-add">+${added}</span> <span class="stat-del">&minus;${removed}</span></span></div>` +
    `<table class="diff-table"><tbody>${body}</tbody></table></div>`
  );
}

function renderRow(row: DiffRow): string {
  const num = (n?: number) => `<td class="num">${n === undefined ? '' : n}</td>`;
  return `<tr class="ln-${row.kind}">${num(row.old)}${num(row.new)}<td class="code">${escapeHtml(row.text) || ' '}</td></tr>`;
}

/** The lines after the first hunk header, numbered; what came before it (index, mode, paths) as `header`. */
function readDiffRows(text: string): { rows: DiffRow[]; header: string[] } {
  const header: string[] = [];
  const rows: DiffRow[] = [];
  let oldLine = 0;
  let newLine = 0;
  let inHunk = false;
  for (const line of text.split('\n')) {
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (hunk) {
      inHunk = true;
      oldLine = Number(hunk[1]);
      newLine = Number(hunk[2]);
      rows.push({ kind: 'hunk', text: line });
    } else if (!inHunk || line.startsWith('diff --git ')) {
      inHunk = false;
      header.push(line);
    } else if (line.startsWith('+')) {
      rows.push({ kind: 'add', new: newLine++, text: line });
    } else if (line.startsWith('-')) {
      rows.push({ kind: 'del', old: oldLine++, text: line });
    } else if (line.startsWith('\\')) {
      rows.push({ kind: 'note', text: line });
    } else {
      rows.push({ kind: 'ctx', old: oldLine++, new: newLine++, text: line });
    }
  }
  return { rows, header };
}

function describeBadge(line: string): string {
  if (line.startsWith('new file')) return 'added';
  if (line.startsWith('deleted file')) return 'deleted';
  if (line.startsWith('rename') || line.startsWith('similarity')) return 'renamed';
  return 'binary';
}
