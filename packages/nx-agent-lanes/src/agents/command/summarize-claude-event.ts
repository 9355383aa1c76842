/**
 * A person's line for one line of Claude Code's `--output-format stream-json` (or another CLI's
 * JSON event of the same shape): the session start, each tool call, an error result, the final
 * text. `undefined` when the line is not such an event (it is logged as it is); `null` when it is
 * one a person need not see in the log (tool results, the result record: the lane's closing lines
 * say how it ended). The transcript keeps every line whole either way.
 */
export function summarizeClaudeEvent(line: string): string | null | undefined {
  if (!line.startsWith('{"type":')) return undefined;
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isRecord(event) || typeof event.type !== 'string') return undefined;
  if (event.type === 'system' && event.subtype === 'init') {
    const version = typeof event.claude_code_version === 'string' ? ` ${event.claude_code_version}` : '';
    const model = typeof event.model === 'string' ? ` with ${event.model}` : '';
    return `Claude Code${version} started${model}`;
  }
  if (event.type === 'assistant' && isRecord(event.message) && Array.isArray(event.message.content)) {
    const parts = event.message.content.filter(isRecord).map(describeBlock).filter((part): part is string => part !== undefined);
    return parts.length ? parts.join(' · ') : null;
  }
  if (event.type === 'user' && isRecord(event.message) && Array.isArray(event.message.content)) {
    const errors = event.message.content.filter((block) => isRecord(block) && block.type === 'tool_result' && block.is_error === true);
    return errors.length ? `tool error: ${short(textOf(errors[0]), 200)}` : null;
  }
  return null;
}

function describeBlock(block: Record<string, unknown>): string | undefined {
  if (block.type === 'tool_use' && typeof block.name === 'string') {
    const input = isRecord(block.input) ? block.input : {};
    const target = [input.file_path, input.notebook_path, input.command, input.pattern, input.path].find((v) => typeof v === 'string');
    return typeof target === 'string' ? `${block.name} ${short(target, 100)}` : block.name;
  }
  if (block.type === 'text' && typeof block.text === 'string' && block.text.trim()) return short(block.text, 200);
  return undefined;
}

function textOf(block: unknown): string {
  if (!isRecord(block)) return '';
  if (typeof block.content === 'string') return block.content;
  if (Array.isArray(block.content)) return block.content.map((c) => (isRecord(c) && typeof c.text === 'string' ? c.text : '')).join(' ');
  return '';
}

function short(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
