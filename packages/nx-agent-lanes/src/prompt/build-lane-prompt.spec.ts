import { buildLanePrompt, LanePromptInput } from './build-lane-prompt';

const contract = '# Export contract\n\n```ts\nexport function toCsv(rows: Row[]): string;\n```\n';

function backendInput(overrides: Partial<LanePromptInput> = {}): LanePromptInput {
  return {
    feature: { name: 'export-feature', goal: 'Customers download orders, invoices and activity as CSV' },
    lane: {
      name: 'backend',
      owns: ['apps/api/src/routes/export.ts', 'apps/api/src/routes/export.spec.ts'],
      forbids: ['apps/web/**'],
      test: 'npx jest apps/api/src/routes/export.spec.ts',
      after: [],
    },
    spec: '# Backend\n\nServe GET /export/:kind as text/csv.\n',
    contract,
    otherLanes: [
      { name: 'frontend', owns: ['apps/web/src/export-button.tsx'] },
      { name: 'backend', owns: ['apps/api/src/routes/export.ts'] },
      { name: 'export-logic', owns: ['libs/export/src/**'] },
    ],
    answers: [],
    feedback: [],
    ...overrides,
  };
}

function frontendInput(): LanePromptInput {
  return {
    ...backendInput(),
    lane: {
      name: 'frontend',
      owns: ['apps/web/src/export-button.tsx'],
      forbids: ['apps/api/**'],
      test: 'npx jest apps/web/src/export-button.spec.tsx',
      after: ['export-logic'],
    },
    spec: '# Frontend\n\nA button that downloads the CSV.\n',
    otherLanes: [
      { name: 'backend', owns: ['apps/api/src/routes/export.ts'] },
      { name: 'export-logic', owns: ['libs/export/src/**'] },
    ],
    answers: [{ question: 'Which label?', answer: 'Download CSV' }],
    feedback: [{ message: 'Disable the button while downloading' }],
  };
}

/** Headings of the markdown document, in order (ignoring lines inside code fences). */
function headings(markdown: string): string[] {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const marks = /^(`{3,})/.exec(line)?.[1];
    if (marks && fence === undefined) fence = marks;
    else if (fence !== undefined && line === fence) fence = undefined;
    else if (fence === undefined && /^#{1,6} /.test(line)) out.push(line);
  }
  return out;
}

describe('buildLanePrompt', () => {
  it('puts the rules, goal and contract in system, in that order', () => {
    const { system } = buildLanePrompt(backendInput());
    expect(headings(system)).toEqual([
      '# Feature: export-feature',
      '## Goal of the feature',
      '## Rules',
      '## How to report a blocker',
      '## Contract',
    ]);
    expect(system).toContain('Customers download orders, invoices and activity as CSV');
    expect(system).toContain('export function toCsv(rows: Row[]): string;');
    expect(system).toContain('LANE_BLOCKER_FILE');
    expect(system).toMatch(/Change only the files your lane owns/);
    expect(system).toMatch(/Write tests/);
    expect(system).toMatch(/do not\s+guess: report a blocker/);
    expect(system).toMatch(/Finish with a short summary/);
  });

  it('puts the lane-specific parts in task, in a fixed order', () => {
    const { task } = buildLanePrompt(
      backendInput({
        lane: { ...backendInput().lane, after: ['export-logic'] },
        answers: [{ question: 'UTC or local time?', answer: 'UTC' }],
        feedback: [{ message: 'Add a header row' }],
        previousPatch: 'diff --git a/x b/x\n+new line\n',
      }),
    );
    expect(headings(task)).toEqual([
      '# Your lane: backend',
      '## Spec',
      '## Files you own',
      '## Files you must not touch',
      '## Other lanes',
      '## Lanes before yours',
      '## Acceptance test',
      '## Answers to your earlier questions',
      '## Review feedback',
      '## Your previous result',
    ]);
    expect(task).toContain('- `apps/api/src/routes/export.ts`\n- `apps/api/src/routes/export.spec.ts`');
    expect(task).toContain('- `apps/web/**`');
    expect(task).toContain('```sh\nnpx jest apps/api/src/routes/export.spec.ts\n```');
    expect(task).toContain('Serve GET /export/:kind as text/csv.');
    expect(task).toContain('```diff\ndiff --git a/x b/x\n+new line\n```');
    expect(task).toContain('`export-logic`: their changes are already in your worktree');
  });

  it('omits the optional sections when there is nothing to say', () => {
    const { task } = buildLanePrompt(backendInput({ otherLanes: [], previousPatch: '  \n' }));
    expect(headings(task)).toEqual([
      '# Your lane: backend',
      '## Spec',
      '## Files you own',
      '## Files you must not touch',
      '## Acceptance test',
    ]);
  });

  it('lists other lanes sorted by name, without the lane itself', () => {
    const { task } = buildLanePrompt(backendInput());
    const section = task.slice(task.indexOf('## Other lanes'), task.indexOf('## Acceptance test'));
    expect(section).toContain('- `export-logic`: `libs/export/src/**`\n- `frontend`: `apps/web/src/export-button.tsx`');
    expect(section).not.toContain('`backend`');
  });

  it('includes every answer and feedback item, oldest first', () => {
    const { task } = buildLanePrompt(
      backendInput({
        answers: [
          { question: 'UTC or local time?', answer: 'UTC, with an explicit column header' },
          { question: 'Quote every field?', answer: 'Only when needed' },
        ],
        feedback: [{ message: 'Rename the column to "Date (UTC)"' }, { message: 'Add a BOM for Excel' }],
      }),
    );
    expect(task).toContain(
      '1. Question: UTC or local time?\n   Answer: UTC, with an explicit column header\n' +
        '2. Question: Quote every field?\n   Answer: Only when needed',
    );
    expect(task).toContain('1. Rename the column to "Date (UTC)"\n2. Add a BOM for Excel');
  });

  it('is stable: the same input gives identical bytes', () => {
    const first = buildLanePrompt(frontendInput());
    const second = buildLanePrompt(frontendInput());
    expect(second).toEqual(first);
    expect(first.full).toBe(`${first.system}\n${first.task}`);
    expect(first.full.endsWith('\n')).toBe(true);
    expect(first.full.endsWith('\n\n')).toBe(false);
  });

  it('gives every lane of a feature the same system text', () => {
    expect(buildLanePrompt(frontendInput()).system).toBe(buildLanePrompt(backendInput()).system);
  });

  it('keeps everything about the lane out of system', () => {
    const input = frontendInput();
    const { system } = buildLanePrompt(input);
    const laneParts = [
      'frontend',
      ...input.lane.owns,
      ...input.lane.forbids,
      input.lane.test,
      'A button that downloads the CSV',
      'Which label?',
      'Download CSV',
      'Disable the button while downloading',
      'libs/export/src/**',
      'apps/api/src/routes/export.ts',
    ];
    for (const part of laneParts) expect(system).not.toContain(part);
  });

  it('fences text longer than any backtick run inside it', () => {
    const { system } = buildLanePrompt(backendInput({ contract: 'Before\n````\ninner\n````\nAfter' }));
    expect(system).toContain('`````markdown\nBefore\n````\ninner\n````\nAfter\n`````');
  });

  it('normalises CRLF line ends so a Windows checkout gives the same prompt', () => {
    const unix = buildLanePrompt(backendInput());
    const windows = buildLanePrompt(
      backendInput({ contract: contract.replace(/\n/g, '\r\n'), spec: backendInput().spec.replace(/\n/g, '\r\n') }),
    );
    expect(windows).toEqual(unix);
  });
});
