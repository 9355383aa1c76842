import { readFeature } from './read-feature';

/* Checks that need every lane at once: disjoint ownership, own forbids, `after`. */

const FILE = 'features/export/feature.jsonc';
const fileStatus = (): 'file' => 'file';

/** A plan whose `lanes` object is the given lines, one lane per line, starting on line 2. */
function readLanes(laneLines: string[], repoFiles?: string[]) {
  const text = ['{ "goal": "g", "contract": "contract.md", "lanes": {', ...laneLines, '} }'].join('\n');
  return readFeature({ file: FILE, text, fileStatus, repoFiles });
}

function problemsOf(laneLines: string[], repoFiles?: string[]) {
  return readLanes(laneLines, repoFiles).problems.map(({ line, column, message }) => ({ line, column, message }));
}

const DISJOINT = 'Ownership must be disjoint so lanes never edit the same file: give it to one lane only.';

describe('readFeature: disjoint ownership', () => {
  it('reports two lanes owning the same literal file, at the later lane', () => {
    expect(
      problemsOf([
        '  "api": { "spec": "a.md", "test": "t", "owns": ["apps/api/x.ts", "apps/api/y.ts"] },',
        '  "web": { "spec": "w.md", "test": "t", "owns": ["apps/web/a.ts", "./apps/api/y.ts"] }',
      ]),
    ).toEqual([{ line: 3, column: 67, message: `Lanes \`api\` and \`web\` both own \`apps/api/y.ts\`. ${DISJOINT}` }]);
  });

  it('reports a literal file inside another lane\'s glob, and a glob inside a folder another lane owns', () => {
    expect(
      problemsOf([
        '  "api": { "spec": "a.md", "test": "t", "owns": ["apps/api/**/*.ts", "libs/shared"] },',
        '  "web": { "spec": "w.md", "test": "t", "owns": ["apps/api/src/client.ts"] },',
        '  "docs": { "spec": "d.md", "test": "t", "owns": ["libs/shared/*.md"] }',
      ]),
    ).toEqual([
      {
        line: 3,
        column: 50,
        message: `Lanes \`api\` and \`web\` both own \`apps/api/src/client.ts\` (lane \`api\` owns \`apps/api/**/*.ts\`, lane \`web\` owns \`apps/api/src/client.ts\`). ${DISJOINT}`,
      },
      {
        line: 4,
        column: 51,
        message: `Lanes \`api\` and \`docs\` both own \`libs/shared/*.md\` (lane \`api\` owns \`libs/shared\`, lane \`docs\` owns \`libs/shared/*.md\`). ${DISJOINT}`,
      },
    ]);
  });

  it('reports two globs as overlapping only when a workspace file matches both, naming that file', () => {
    const lanes = [
      '  "web": { "spec": "w.md", "test": "t", "owns": ["apps/web/**/*.tsx"] },',
      '  "auth": { "spec": "a.md", "test": "t", "owns": ["**/auth/**"] }',
    ];
    expect(problemsOf(lanes, ['apps/web/src/app.tsx', 'apps/api/auth/login.ts'])).toEqual([]);
    expect(problemsOf(lanes, ['apps/web/src/app.tsx', 'apps/web/src/auth/Login.tsx', 'apps/web/src/auth/Logout.tsx'])).toEqual([
      {
        line: 3,
        column: 51,
        message: `Lanes \`web\` and \`auth\` both own \`apps/web/src/auth/Login.tsx\` (lane \`web\` owns \`apps/web/**/*.tsx\`, lane \`auth\` owns \`**/auth/**\`). ${DISJOINT}`,
      },
    ]);
  });

  it('accepts a file carved out of one lane\'s glob by its forbids and owned by another lane', () => {
    const { problems, feature } = readLanes(
      [
        '  "web": { "spec": "w.md", "test": "t", "owns": ["apps/web/**"], "forbids": ["apps/web/src/export/**"] },',
        '  "export": { "spec": "e.md", "test": "t", "owns": ["apps/web/src/export/**", "apps/web/src/export/csv.ts"] }',
      ],
      ['apps/web/src/export/csv.ts', 'apps/web/src/main.ts'],
    );
    expect(problems).toEqual([]);
    expect(feature?.lanes.map((l) => l.name)).toEqual(['web', 'export']);
  });

  it('reports lane names that differ only in case', () => {
    expect(
      problemsOf([
        '  "api": { "spec": "a.md", "test": "t", "owns": ["a.ts"] },',
        '  "API": { "spec": "a.md", "test": "t", "owns": ["b.ts"] }',
      ]),
    ).toEqual([
      {
        line: 3,
        column: 3,
        message: 'Lanes `api` and `API` differ only in case; their artifact folders would be one folder on case-insensitive file systems. Rename one.',
      },
    ]);
  });
});

describe('readFeature: own forbids', () => {
  it('reports a lane that forbids a file it owns, at the forbids entry', () => {
    expect(
      problemsOf([
        '  "api": { "spec": "a.md", "test": "t", "owns": ["apps/api/x.ts", "apps/api/gen/**"], "forbids": ["apps/**/x.ts", "apps/api"] }',
      ]),
    ).toEqual([
      {
        line: 2,
        column: 99,
        message:
          'Lane `api` owns `apps/api/x.ts` and also forbids it (`apps/**/x.ts`): a lane cannot change a file it forbids. Remove it from `owns` or from `forbids`.',
      },
      {
        line: 2,
        column: 115,
        message:
          'Lane `api` owns `apps/api/gen/**` and also forbids it (`apps/api`): a lane cannot change a file it forbids. Remove it from `owns` or from `forbids`.',
      },
    ]);
  });
});

describe('readFeature: after', () => {
  it('reports `after` naming an unknown lane, with the closest name', () => {
    expect(
      problemsOf([
        '  "backend": { "spec": "b.md", "test": "t", "owns": ["a.ts"] },',
        '  "web": { "spec": "w.md", "test": "t", "owns": ["b.ts"], "after": ["bakend", "docs"] }',
      ]),
    ).toEqual([
      {
        line: 3,
        column: 69,
        message: 'Lane `web` runs after `bakend`, which is not a lane of this feature. Did you mean `backend`? Its lanes are: backend, web.',
      },
      { line: 3, column: 79, message: 'Lane `web` runs after `docs`, which is not a lane of this feature. Its lanes are: backend, web.' },
    ]);
  });

  it('reports a cycle in `after`, naming it, and a lane waiting for itself', () => {
    expect(
      problemsOf([
        '  "a": { "spec": "a.md", "test": "t", "owns": ["a.ts"], "after": ["b"] },',
        '  "b": { "spec": "b.md", "test": "t", "owns": ["b.ts"], "after": ["c"] },',
        '  "c": { "spec": "c.md", "test": "t", "owns": ["c.ts"], "after": ["a"] },',
        '  "d": { "spec": "d.md", "test": "t", "owns": ["d.ts"], "after": ["d"] }',
      ]),
    ).toEqual([
      {
        line: 2,
        column: 67,
        message: 'Lanes wait for each other in a cycle: a -> b -> c -> a. Remove one of these `after` entries so the lanes can start.',
      },
      {
        line: 5,
        column: 67,
        message: 'Lanes wait for each other in a cycle: d -> d. Remove one of these `after` entries so the lanes can start.',
      },
    ]);
  });
});
