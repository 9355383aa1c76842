import { probeOf, problemsOf } from './__fixtures__/read-plan';

/*
 * One test per kind of mistake in feature.jsonc: the exact message and where it points.
 * Texts are built line by line so that line and column numbers can be read off the source.
 */

describe('readFeature: syntax', () => {
  it('reports a JSON syntax error where it is, with what was expected', () => {
    const problems = problemsOf([
      '{',
      '  "goal": "g",',
      '  "contract": "contract.md"',
      '  "lanes": {}',
      '}',
    ]);
    expect(problems).toEqual([
      {
        line: 4,
        column: 3,
        message: 'JSON syntax error: expected `,` between entries. Comments and trailing commas are allowed; fix the text here.',
      },
    ]);
  });

  it('reports an unclosed string and an empty file', () => {
    expect(problemsOf(['{ "goal": "g'])).toEqual([
      expect.objectContaining({ line: 1, message: expect.stringContaining('a string is not closed with `"`') }),
      expect.objectContaining({ message: expect.stringContaining('expected `}` to close the object') }),
    ]);
    expect(problemsOf(['  // nothing yet'])).toEqual([
      { line: 1, column: 17, message: expect.stringContaining('JSON syntax error: expected a value') },
    ]);
  });
});

describe('readFeature: unknown keys', () => {
  it('reports unknown keys at every level, suggesting the closest known key', () => {
    const problems = problemsOf([
      '{',
      '  "goal": "g",',
      '  "contract": "contract.md",',
      '  "agnet": {},',
      '  "agent": { "modle": "claude-haiku-4-5" },',
      '  "colour": "blue",',
      '  "lanes": {',
      '    "api": {',
      '      "spec": "lanes/api.md", "owns": ["a.ts"], "test": "t",',
      '      "ownes": ["b.ts"],',
      '      "agent": { "budgetUSD": 1 }',
      '    }',
      '  },',
      '  "integration": { "tset": "x" },',
      '  "review": { "risk": [] }',
      '}',
    ]);
    expect(problems).toEqual([
      {
        line: 4,
        column: 3,
        message:
          'Unknown key `agnet` in the feature. Did you mean `agent`? Known keys: $schema, name, goal, contract, base, agent, setup, lanes, integration, review, secrets, limits, sandbox, featureBudgetUsd.',
      },
      {
        line: 5,
        column: 14,
        message:
          'Unknown key `modle` in `agent`. Did you mean `model`? Known keys: provider, model, maxTurns, budgetUsd, timeoutMinutes, maxTokens, command, prices, claudeMd.',
      },
      {
        line: 6,
        column: 3,
        message:
          'Unknown key `colour` in the feature. Known keys: $schema, name, goal, contract, base, agent, setup, lanes, integration, review, secrets, limits, sandbox, featureBudgetUsd.',
      },
      {
        line: 10,
        column: 7,
        message: 'Unknown key `ownes` in `lanes.api`. Did you mean `owns`? Known keys: spec, owns, forbids, test, after, agent, risky, limits, sandbox.',
      },
      {
        line: 11,
        column: 18,
        message: expect.stringMatching(/^Unknown key `budgetUSD` in `lanes\.api\.agent`\. Did you mean `budgetUsd`\?/),
      },
      { line: 14, column: 20, message: 'Unknown key `tset` in `integration`. Did you mean `test`? Known keys: test.' },
      { line: 15, column: 15, message: 'Unknown key `risk` in `review`. Did you mean `risky`? Known keys: risky.' },
    ]);
  });

  it('reports unknown keys in a model price and a key written twice', () => {
    const problems = problemsOf([
      '{',
      '  "goal": "g", "contract": "contract.md", "lanes": {},',
      '  "agent": { "prices": { "m": { "input": 1, "output": 2, "cache": 0 } } },',
      '  "goal": "again"',
      '}',
    ]);
    expect(problems).toEqual([
      { line: 3, column: 58, message: expect.stringMatching(/^Unknown key `cache` in `agent\.prices\.m`\. Known keys: input, output, cacheWrite, cacheWrite1h, cacheRead\.$/) },
      { line: 4, column: 3, message: 'Key `goal` appears twice; JSON keeps only the last one, so remove one of them.' },
    ]);
  });
});

describe('readFeature: files, required fields and types', () => {
  it('reports a missing contract and a missing spec at the value naming them', () => {
    const problems = problemsOf(
      [
        '{',
        '  "goal": "g",',
        '  "contract": "docs/contract.md",',
        '  "lanes": { "api": { "spec": "lanes/api.md", "owns": ["a.ts"], "test": "t" } }',
        '}',
      ],
      probeOf({}),
    );
    expect(problems).toEqual([
      {
        line: 3,
        column: 15,
        message: 'The contract file `features/export/docs/contract.md` does not exist (`contract` is relative to `features/export`); create it or fix the path.',
      },
      {
        line: 4,
        column: 31,
        message:
          'The spec of lane `api` file `features/export/lanes/api.md` does not exist (`lanes.api.spec` is relative to `features/export`); create it or fix the path.',
      },
    ]);
  });

  it('reports an unreadable contract, an unreadable spec and a spec that is a directory', () => {
    const problems = problemsOf(
      [
        '{ "goal": "g", "contract": "contract.md", "lanes": {',
        '  "api": { "spec": "lanes/api.md", "owns": ["a.ts"], "test": "t" },',
        '  "web": { "spec": "lanes", "owns": ["b.ts"], "test": "t" } } }',
      ],
      probeOf({
        'features/export/contract.md': 'unreadable',
        'features/export/lanes/api.md': 'unreadable',
        'features/export/lanes': 'directory',
      }),
    );
    expect(problems).toEqual([
      { line: 1, column: 28, message: 'The contract file `features/export/contract.md` exists but cannot be read; check its permissions.' },
      { line: 2, column: 20, message: 'The spec of lane `api` file `features/export/lanes/api.md` exists but cannot be read; check its permissions.' },
      { line: 3, column: 20, message: 'The spec of lane `web` `features/export/lanes` is a directory; point `lanes.web.spec` at a markdown file.' },
    ]);
  });

  it('reports a contract and a spec that resolve outside the workspace through a symbolic link', () => {
    const problems = problemsOf(
      [
        '{ "goal": "g", "contract": "contract.md", "lanes": {',
        '  "api": { "spec": "lanes/api.md", "owns": ["a.ts"], "test": "t" } } }',
      ],
      probeOf({ 'features/export/contract.md': 'outside-workspace', 'features/export/lanes/api.md': 'outside-workspace' }),
    );
    expect(problems).toEqual([
      {
        line: 1,
        column: 28,
        message:
          'The contract `features/export/contract.md` is a symbolic link (or inside one) that resolves outside the workspace, so it is refused: ' +
          "its content would go into the agents' prompts. Copy the file into the workspace in place of the link, or point `contract` at a file inside it.",
      },
      {
        line: 2,
        column: 20,
        message:
          'The spec of lane `api` `features/export/lanes/api.md` is a symbolic link (or inside one) that resolves outside the workspace, so it is refused: ' +
          "its content would go into the agents' prompts. Copy the file into the workspace in place of the link, or point `lanes.api.spec` at a file inside it.",
      },
    ]);
  });

  it('reports a contract path that leaves the workspace', () => {
    expect(problemsOf(['{ "goal": "g", "contract": "../../../secret.md", "lanes": {} }'])).toEqual([
      {
        line: 1,
        column: 28,
        message:
          '`contract` (`../../../secret.md`) points outside the workspace; it is relative to the feature folder `features/export` and must stay inside the workspace.',
      },
    ]);
  });

  it('reports missing required fields at the object that lacks them', () => {
    const problems = problemsOf(['{', '  "lanes": {', '    "api": { "test": "t" }', '  }', '}']);
    expect(problems).toEqual([
      { line: 1, column: 1, message: "Missing `goal`: add one sentence saying what the feature delivers; every lane's agent reads it first." },
      {
        line: 1,
        column: 1,
        message: 'Missing `contract`: add the interface contract every lane builds against, e.g. `"contract": "contract.md"` (relative to the feature folder).',
      },
      {
        line: 3,
        column: 5,
        message: 'Missing `lanes.api.spec`: add the lane\'s goal and acceptance criteria as markdown, e.g. `"spec": "lanes/api.md"` (relative to the feature folder).',
      },
      {
        line: 3,
        column: 5,
        message:
          'Missing `lanes.api.owns`: list the files or globs lane `api` may change, relative to the workspace root, e.g. `"owns": ["apps/api/src/routes/export.ts"]`.',
      },
    ]);
    expect(problemsOf(['{ "goal": "g", "contract": "contract.md" }'])).toEqual([
      { line: 1, column: 1, message: 'Missing `lanes`: add `"lanes": { }` and one lane per part of the work (`nx g nx-agent-lanes:lane`).' },
    ]);
  });

  it('reports values of the wrong type, and an empty `owns`', () => {
    const problems = problemsOf([
      '{',
      '  "goal": 42,',
      '  "contract": "contract.md",',
      '  "secrets": "ANTHROPIC_API_KEY",',
      '  "lanes": {',
      '    "api": { "spec": "lanes/api.md", "owns": [], "test": "t", "after": [1], "risky": "yes" },',
      '    "web": []',
      '  },',
      '  "review": null',
      '}',
    ]);
    expect(problems).toEqual([
      { line: 2, column: 11, message: '`goal` must be a string, not a number.' },
      { line: 4, column: 14, message: '`secrets` must be an array of strings, not a string.' },
      { line: 6, column: 46, message: '`lanes.api.owns` is empty: list the files or globs lane `api` may change, relative to the workspace root.' },
      { line: 6, column: 73, message: 'Each entry of `lanes.api.after` must be a string, not a number.' },
      { line: 6, column: 86, message: '`lanes.api.risky` must be `true` or `false`, not a string.' },
      { line: 7, column: 12, message: '`lanes.web` must be an object `{ ... }`, not an array.' },
      { line: 9, column: 13, message: '`review` must be an object `{ ... }`, not `null`.' },
    ]);
  });
});

describe('readFeature: lanes', () => {
  it('reports a lane with no test command, or an empty one', () => {
    const problems = problemsOf([
      '{ "goal": "g", "contract": "contract.md", "lanes": {',
      '  "api": { "spec": "lanes/api.md", "owns": ["a.ts"] },',
      '  "web": { "spec": "lanes/web.md", "owns": ["b.ts"], "test": " " }',
      '} }',
    ]);
    expect(problems).toEqual([
      {
        line: 2,
        column: 3,
        message:
          'Missing `lanes.api.test`: lane `api` has no test command. Every lane needs one, because verify runs it on the lane\'s change alone; add e.g. `"test": "npx jest path/to/api.spec.ts"`.',
      },
      {
        line: 3,
        column: 62,
        message:
          '`lanes.web.test` is empty: lane `web` has no test command. Every lane needs one, because verify runs it on the lane\'s change alone; add e.g. `"test": "npx jest path/to/web.spec.ts"`.',
      },
    ]);
  });

  it('reports lane names that cannot be Nx target names, and the reserved name `integration`', () => {
    const lane = '{ "spec": "lanes/api.md", "owns": ["%"], "test": "t" }';
    const problems = problemsOf([
      '{ "goal": "g", "contract": "contract.md", "lanes": {',
      `  "my lane": ${lane.replace('%', 'a.ts')},`,
      `  "api:v2": ${lane.replace('%', 'b.ts')},`,
      `  "web/ui": ${lane.replace('%', 'c.ts')},`,
      `  "2fa": ${lane.replace('%', 'd.ts')},`,
      `  "integration": ${lane.replace('%', 'e.ts')}`,
      '} }',
    ]);
    const because = 'where a colon is read as a configuration and spaces or slashes break `nx run`.';
    expect(problems).toEqual([
      {
        line: 2,
        column: 3,
        message: `Lane name \`my lane\` is not a plain name: use letters, digits and \`-\`, starting with a letter (e.g. \`my-lane\`). It becomes the Nx target names \`lane--my lane\` and \`verify--my lane\`, ${because}`,
      },
      {
        line: 3,
        column: 3,
        message: `Lane name \`api:v2\` is not a plain name: use letters, digits and \`-\`, starting with a letter (e.g. \`api-v2\`). It becomes the Nx target names \`lane--api:v2\` and \`verify--api:v2\`, ${because}`,
      },
      { line: 4, column: 3, message: expect.stringMatching(/^Lane name `web\/ui` is not a plain name: .*\(e\.g\. `web-ui`\)/) },
      { line: 5, column: 3, message: expect.stringMatching(/^Lane name `2fa` is not a plain name: .*\(e\.g\. `lane-2fa`\)/) },
      {
        line: 6,
        column: 3,
        message: 'Lane name `integration` is reserved: `dist/agent-lanes/<feature>/integration/` holds the integration artifacts. Choose another name.',
      },
    ]);
  });

  it('reports owned and forbidden paths outside the workspace, negations, and owning .git or node_modules', () => {
    const problems = problemsOf([
      '{ "goal": "g", "contract": "contract.md", "lanes": { "api": { "spec": "lanes/api.md", "test": "t",',
      '  "owns": [',
      '    "/etc/passwd",',
      '    "apps/../../other/x.ts",',
      '    "C:/code/x.ts",',
      '    ".git/**",',
      '    "packages/a/node_modules/x/index.js",',
      '    "!apps/api/x.ts",',
      '    "apps/api/**"',
      '  ],',
      '  "forbids": ["../elsewhere/**", "node_modules/**"]',
      '} } }',
    ]);
    const outside = 'is outside the workspace: paths are relative to the workspace root, with forward slashes, no `..`, not absolute and no drive letter.';
    expect(problems).toEqual([
      { line: 3, column: 5, message: `\`/etc/passwd\` in \`lanes.api.owns\` ${outside}` },
      { line: 4, column: 5, message: `\`apps/../../other/x.ts\` in \`lanes.api.owns\` ${outside}` },
      { line: 5, column: 5, message: `\`C:/code/x.ts\` in \`lanes.api.owns\` ${outside}` },
      { line: 6, column: 5, message: "Lane `api` may not own `.git/**`: nothing under .git or node_modules is ever a lane's to change." },
      { line: 7, column: 5, message: "Lane `api` may not own `packages/a/node_modules/x/index.js`: nothing under .git or node_modules is ever a lane's to change." },
      {
        line: 8,
        column: 5,
        message: '`lanes.api.owns` entries cannot be negated (`!apps/api/x.ts`); to keep lane `api` out of files, list them in `forbids`.',
      },
      { line: 11, column: 15, message: `\`../elsewhere/**\` in \`lanes.api.forbids\` ${outside}` },
    ]);
  });

  it('reports an unclosed glob bracket in owns, forbids and review.risky', () => {
    const problems = problemsOf([
      '{ "goal": "g", "contract": "contract.md", "lanes": { "api": { "spec": "lanes/api.md", "test": "t",',
      '  "owns": ["apps/api/[abc", "apps/api/src/**"],',
      '  "forbids": ["apps/api/src/{gen,legacy/**"]',
      '} },',
      '  "review": { "risky": ["[abc"] } }',
    ]);
    expect(problems).toEqual([
      { line: 2, column: 12, message: '`apps/api/[abc` is not a valid glob: missing closing: "]". Close it in `lanes.api.owns`, or name the folder that holds the file.' },
      { line: 3, column: 15, message: '`apps/api/src/{gen,legacy/**` is not a valid glob: missing closing: "}". Close it in `lanes.api.forbids`, or name the folder that holds the file.' },
      { line: 5, column: 25, message: '`[abc` is not a valid glob: missing closing: "]". Close it in `review.risky`, or name the folder that holds the file.' },
    ]);
  });
});
