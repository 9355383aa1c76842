import { applyEdits, findNodeAtLocation, modify, parseTree, type FormattingOptions } from 'jsonc-parser';
import type { LaneConfigInput } from '../../feature/feature-types';

export interface AddLaneEntryOptions {
  /** The feature.jsonc text as the user wrote it. */
  text: string;
  lane: string;
  entry: LaneConfigInput;
}

/** The file's own indentation and line ending, so the inserted lane looks hand-written. */
export function detectFormatting(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /^([ \t]+)\S/m.exec(text)?.[1] ?? '  ';
  return indent.startsWith('\t')
    ? { insertSpaces: false, tabSize: 1, eol }
    : { insertSpaces: true, tabSize: indent.length, eol };
}

/**
 * The plan text with one more lane under `lanes`. jsonc-parser's `modify` edits the text in
 * place, so the user's comments (including the scaffold's commented example lane) and layout
 * survive; a missing `lanes` object is created.
 */
export function addLaneEntry(options: AddLaneEntryOptions): string {
  const edits = modify(options.text, ['lanes', options.lane], options.entry, {
    formattingOptions: detectFormatting(options.text),
  });
  return applyEdits(options.text, edits);
}

/** Offset of the `lanes.<lane>` key, or undefined when the plan has no such lane. */
export function findLaneOffset(options: { text: string; lane: string }): number | undefined {
  const root = parseTree(options.text, [], { allowTrailingComma: true });
  if (!root) return undefined;
  const value = findNodeAtLocation(root, ['lanes', options.lane]);
  // The key node precedes the value inside their shared property node.
  return value?.parent?.children?.[0]?.offset ?? value?.offset;
}
