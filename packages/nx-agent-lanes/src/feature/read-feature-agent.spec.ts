import { FILE, FILES, problemsOf } from './__fixtures__/read-plan';
import { readFeature } from './read-feature';

/* Mistakes in `agent`, at feature and lane level, and in their combination. */

describe('readFeature: agent settings', () => {
  it('reports an unknown provider, a command provider without a command, and non-positive limits', () => {
    const problems = problemsOf([
      '{ "goal": "g", "contract": "contract.md",',
      '  "agent": { "provider": "command", "maxTurns": 0, "budgetUsd": -1 },',
      '  "lanes": {',
      '    "api": { "spec": "lanes/api.md", "owns": ["a.ts"], "test": "t" },',
      '    "web": { "spec": "lanes/web.md", "owns": ["b.ts"], "test": "t", "agent": { "provider": "anthropc", "maxTokens": 1.5 } },',
      '    "cli": { "spec": "lanes/api.md", "owns": ["c.ts"], "test": "t", "agent": { "command": "aider --yes" } }',
      '  }',
      '}',
    ]);
    expect(problems).toEqual([
      {
        line: 2,
        column: 26,
        message:
          'Lane `api` uses the `command` provider but no `agent.command` is set: add the agent command line to the feature\'s or the lane\'s `agent`, e.g. `"command": "claude -p --permission-mode acceptEdits"`.',
      },
      { line: 2, column: 49, message: '`agent.maxTurns` must be a positive whole number, not 0.' },
      { line: 2, column: 65, message: '`agent.budgetUsd` must be a positive number, not -1.' },
      {
        line: 5,
        column: 92,
        message:
          'Unknown agent provider `anthropc`. Did you mean `anthropic`? Use `anthropic` (the built-in tool-use loop on the Anthropic API), `claude-code` (Claude Code through @anthropic-ai/claude-agent-sdk) or `command` (any agent CLI, set in `agent.command`).',
      },
      { line: 5, column: 117, message: '`lanes.web.agent.maxTokens` must be a positive whole number, not 1.5.' },
    ]);
  });

  it('reports a lane override to the command provider without a command, once for the lanes that share it', () => {
    const problems = problemsOf([
      '{ "goal": "g", "contract": "contract.md", "agent": { "provider": "command" }, "lanes": {',
      '  "api": { "spec": "lanes/api.md", "owns": ["a.ts"], "test": "t" },',
      '  "web": { "spec": "lanes/web.md", "owns": ["b.ts"], "test": "t" }',
      '} }',
    ]);
    expect(problems).toEqual([
      { line: 1, column: 66, message: expect.stringMatching(/^Lanes `api`, `web` use the `command` provider but no `agent.command` is set/) },
    ]);
  });

  it('reports a model with no known price for the anthropic provider, unless `prices` adds it', () => {
    const lines = [
      '{ "goal": "g", "contract": "contract.md", "lanes": {',
      '  "api": { "spec": "lanes/api.md", "owns": ["a.ts"], "test": "t", "agent": { "model": "claude-next-9" } }',
      '} }',
    ];
    expect(problemsOf(lines)).toEqual([
      {
        line: 2,
        column: 87,
        message:
          'No price is known for model `claude-next-9` (used by lane `api`), so its budget cannot be enforced: add it to `agent.prices`, e.g. `"prices": { "claude-next-9": { "input": 3, "output": 15 } }` (dollars per million tokens).',
      },
    ]);
    const priced = lines.join('\n').replace('"lanes"', '"agent": { "prices": { "claude-next-9": { "input": 4, "output": 20 } } }, "lanes"');
    expect(readFeature({ file: FILE, text: priced, fileStatus: FILES }).problems).toEqual([]);
  });

  it('reports a model with no known price for the claude-code provider too, but not for a command agent', () => {
    const plan = (provider: string) => [
      `{ "goal": "g", "contract": "contract.md", "agent": { "provider": "${provider}", "command": "aider", "model": "claude-next-9" }, "lanes": {`,
      '  "api": { "spec": "lanes/api.md", "owns": ["a.ts"], "test": "t" }',
      '} }',
    ];
    expect(problemsOf(plan('claude-code'))).toEqual([
      { line: 1, column: 110, message: expect.stringMatching(/^No price is known for model `claude-next-9` \(used by lane `api`\)/) },
    ]);
    expect(readFeature({ file: FILE, text: plan('command').join('\n'), fileStatus: FILES }).problems).toEqual([]);
  });

  it('knows the current line-up without `prices`, and reads a 1-hour cache-write rate', () => {
    const plan = [
      '{ "goal": "g", "contract": "contract.md", "agent": { "model": "claude-opus-5-5",',
      '  "prices": { "claude-opus-5-5": { "input": 4, "output": 20, "cacheWrite1h": 8.5 } } }, "lanes": {',
      '  "api": { "spec": "lanes/api.md", "owns": ["a.ts"], "test": "t" },',
      '  "web": { "spec": "lanes/web.md", "owns": ["b.ts"], "test": "t", "agent": { "model": "claude-haiku-5-5" } }',
      '} }',
    ].join('\n');
    const read = readFeature({ file: FILE, text: plan, fileStatus: FILES });
    expect(read.problems).toEqual([]);
    expect(read.feature?.agent.prices?.['claude-opus-5-5']).toEqual({ input: 4, output: 20, cacheWrite1h: 8.5 });
  });
});
