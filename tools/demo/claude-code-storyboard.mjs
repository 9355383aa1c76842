/**
 * The export story's storyboard (export-storyboard.mjs) in Claude Code's tools, for
 * `npm run demo -- --agent claude-code`: the same sessions, turns, words and file contents, so
 * both providers play one story. What differs is what Claude Code itself requires:
 * - files: `Read` / `Write` / `Edit` with `file_path` relative to the worktree; Claude Code edits
 *   (or overwrites) only a file it has read or written in the same session, so an edit of a file
 *   the storyboard never read there is preceded by a `Read` in the same turn;
 * - listing a folder is a `Glob`, and running the lane's test is `Bash` with the plan's `test`
 *   command (Claude Code has no run_tests tool);
 * - the blocker is the provider's MCP tool, and Claude Code asks the model once more after its
 *   result: the lane ends on a text turn, and the answer comes back as a new user message of the
 *   same session, so the turns after it keep their place (one index later than the storyboard's);
 * - `finish` is a last answer in text (Claude Code ends a session on a turn without tool calls).
 */
export const BLOCKER_TOOL = 'mcp__lanes__report_blocker';

const WAITING = 'I have asked; I will wait for the answer before writing any code.';

/**
 * `sessions` from buildSessions(); `testOf(lane)` is the lane's test command in the plan.
 * Returns sessions of the replay script (name, match, turns).
 */
export function toClaudeCodeSessions(sessions, { testOf }) {
  return sessions.map((session) => {
    const known = new Set();
    const turns = [];
    for (const turn of session.turns) {
      const content = turn.content.flatMap((block) => translateBlock(block, { known, test: testOf(session.lane) }));
      turns.push({ ...turn, content });
      if (content.some((b) => b.type === 'tool_use' && b.name === BLOCKER_TOOL)) turns.push({ latencyMs: 150, content: [{ type: 'text', text: WAITING }] });
    }
    return { name: session.name, lane: session.lane, match: session.match, turns };
  });
}

function translateBlock(block, { known, test }) {
  if (block.type !== 'tool_use') return [block];
  const { name, input } = block;
  const call = (tool, toolInput) => ({ type: 'tool_use', name: tool, input: toolInput });
  switch (name) {
    case 'read_file':
      known.add(input.path);
      return [call('Read', { file_path: input.path })];
    case 'list_files':
      return [call('Glob', { pattern: `${input.path}/**/*` })];
    case 'write_file':
      known.add(input.path);
      return [call('Write', { file_path: input.path, content: input.content })];
    case 'edit_file': {
      const read = known.has(input.path) ? [] : [call('Read', { file_path: input.path })];
      known.add(input.path);
      return [...read, call('Edit', { file_path: input.path, old_string: input.old_text, new_string: input.new_text })];
    }
    case 'run_tests':
      if (!test) throw new Error('run_tests: the lane has no test command in the plan');
      return [call('Bash', { command: test, description: "Run the lane's tests" })];
    case 'report_blocker':
      return [call(BLOCKER_TOOL, { question: input.question })];
    case 'finish':
      return [{ type: 'text', text: input.summary }];
    default:
      throw new Error(`The storyboard's tool ${name} has no Claude Code counterpart here`);
  }
}
