/**
 * What every decompose prompt says about the plan it must produce: the format, the rules the
 * validator enforces (and the ones it cannot), and one small example plan.
 */

export const PLAN_RULES = `## The plan you propose

A plan is three kinds of files, in the feature's folder:

- \`feature.jsonc\`: JSON with comments. Keys:
  - \`"goal"\`: the goal, one sentence.
  - \`"contract": "contract.md"\`.
  - \`"lanes"\`: one entry per lane, keyed by the lane's name (lowercase letters, digits, dashes):
    - \`"spec": "lanes/<lane>.md"\`: the lane's own instructions;
    - \`"owns"\`: the files the lane may create or change: workspace-relative paths or globs (\`libs/export/**\`);
    - \`"forbids"\` (optional): paths the lane must not touch even inside what it owns;
    - \`"test"\`: one shell command, run from the workspace root, that proves the lane's change alone;
    - \`"after"\` (optional): lanes whose change this lane builds on (it starts from their patches).
  - \`"integration": { "test": "..." }\`: the command that proves every lane together.
  - \`"review": { "risky": ["<glob>"] }\` (optional): files whose diff a person must read.
- \`contract.md\`: the interface every lane builds against, one section per seam.
- \`lanes/<lane>.md\`: for each lane, what it delivers and its acceptance criteria.

Rules (the validator refuses a plan that breaks the first three):
1. Ownership is disjoint: no file may be owned by two lanes, and no lane may own a file another
   feature's plan already owns. Prefer a folder glob per lane (\`libs/mailer/**\`) or exact file paths.
2. Every lane has a \`test\` command that can pass on the lane's change alone, before the other
   lanes exist: use the workspace's own test targets (\`npx nx run <project>:test\`) or a test
   runner on the lane's own test files. A lane that needs another lane's code at test time lists it in
   \`after\`; prefer lanes that fake the other side of a seam in their own tests.
3. Every path in \`owns\` is inside the workspace, and a file it names that does not exist yet is one
   the lane creates (its folder exists, or the lane owns the whole new folder).
4. The contract names every seam between two lanes: the function signatures, data formats, errors,
   HTTP routes and content types one lane provides and another uses. A lane's spec points at the
   contract's section instead of repeating it.
5. Split by seams in the code, not by steps of work: each lane is a piece a person could review on
   its own (a library, an endpoint, a UI component, a page of docs). Do not make a lane for tests alone.
6. Read the workspace before you propose: the projects and test targets below are real, the files you
   plan to change must be read first, and the test commands must exist.
`;

export const EXAMPLE_PLAN = `## An example plan (another goal, another workspace)

\`feature.jsonc\`:
\`\`\`jsonc
{
  "goal": "Users reset a forgotten password with a link sent by email",
  "contract": "contract.md",
  "lanes": {
    "mailer": {
      "spec": "lanes/mailer.md",
      "owns": ["libs/mailer/src/reset-email.ts", "libs/mailer/src/reset-email.spec.ts"],
      "test": "npx nx run mailer:test"
    },
    "reset-api": {
      "spec": "lanes/reset-api.md",
      "owns": ["apps/api/src/password-reset/**"],
      "forbids": ["apps/api/src/main.ts"],
      "test": "npx nx run api:test --testPathPattern=password-reset"
    }
  },
  "integration": { "test": "npx nx run api-e2e:e2e" },
  "review": { "risky": ["apps/api/src/password-reset/**"] }
}
\`\`\`

\`contract.md\`:
\`\`\`md
# Password reset: contract
## 1. sendResetEmail (libs/mailer, used by reset-api)
\`sendResetEmail(to: string, link: URL): Promise<void>\`; rejects with \`MailerError\` (code \`INVALID_ADDRESS\`).
## 2. POST /api/password-reset (reset-api)
Body \`{ "email": string }\`, always 202 with an empty body (no account enumeration).
\`\`\`

\`lanes/mailer.md\`:
\`\`\`md
# Lane: mailer
Write \`sendResetEmail\` (contract, section 1) in libs/mailer.
## Acceptance criteria
- The email holds the link once, as text and as HTML.
- An address without \`@\` rejects with \`MailerError\` code \`INVALID_ADDRESS\`; tested in reset-email.spec.ts.
\`\`\`
(and \`lanes/reset-api.md\` likewise)
`;
