import { planNextSteps } from './plan-next-steps';
import type { LaneReport, ReviewReport } from './review-report';
import { sampleReviewReport } from './sample-report';

type Input = Omit<ReviewReport, 'nextSteps'>;

function sample(edit: (report: Input) => void = () => undefined): Input {
  const { nextSteps: _ignored, ...report } = sampleReviewReport();
  edit(report);
  return report;
}

function lane(report: Input, name: string): LaneReport {
  const found = report.lanes.find((l) => l.name === name);
  if (!found) throw new Error(`no lane ${name} in the sample`);
  return found;
}

describe('planNextSteps', () => {
  it('green: review the risky diffs, then merge the branch', () => {
    const steps = planNextSteps(sample());
    expect(steps[0]).toBe(
      'Review the risky diffs in this report (lane frontend), then merge branch lanes/export-feature ' +
        '(`git merge lanes/export-feature` or open a PR from it).',
    );
    expect(steps[1]).toContain('`nx g nx-agent-lanes:feedback export-feature --lane frontend --message "..."`');
  });

  it('green with nothing risky: merge straight away', () => {
    const steps = planNextSteps(sample((r) => r.lanes.forEach((l) => (l.risky = false))));
    expect(steps).toEqual([
      'No file matched review.risky, so every lane is covered by its tests: merge branch lanes/export-feature ' +
        '(`git merge lanes/export-feature` or open a PR from it).',
    ]);
  });

  it('a blocked lane: its question, the answer command, then integrate', () => {
    const report = sample((r) => {
      r.outcome = 'lanes-not-ready';
      Object.assign(lane(r, 'export-logic'), { status: 'blocked', question: 'UTC or local time?' });
      r.notReady = [{ lane: 'export-logic', why: 'blocked' }];
    });
    expect(planNextSteps(report)).toEqual([
      'Lane export-logic is blocked and asks: "UTC or local time?". ' +
        'Answer it: `nx g nx-agent-lanes:answer export-feature --lane export-logic --answer "..."`.',
      'Then run `nx run export-feature:integrate`: only the lanes you changed run again, the others come from cache.',
    ]);
  });

  it('red tests: points at the output and gives the feedback command for that lane only', () => {
    const report = sample((r) => {
      r.outcome = 'lanes-not-ready';
      lane(r, 'docs').tests = { command: 'npx markdownlint docs/exports.md', passed: false, exitCode: 1, outputTail: 'MD013' };
    });
    const steps = planNextSteps(report);
    expect(steps).toHaveLength(2);
    expect(steps[0]).toBe(
      'The tests of lane docs failed (`npx markdownlint docs/exports.md`, exit 1). Read their output ' +
        '(in this report and in dist/agent-lanes/export-feature/docs/verify.json), then give feedback: ' +
        '`nx g nx-agent-lanes:feedback export-feature --lane docs --message "..."`.',
    );
  });

  it('ownership violations: names the paths and the lane, and both ways out', () => {
    const report = sample((r) => {
      r.outcome = 'lanes-not-ready';
      lane(r, 'backend').ownership = {
        ok: false,
        violations: [
          { path: 'apps/api/src/main.ts', message: 'not owned by backend' },
          { path: 'apps/web/src/app.tsx', message: 'forbidden for backend' },
        ],
      };
    });
    const [step] = planNextSteps(report);
    expect(step).toContain('Lane backend changed files it does not own: apps/api/src/main.ts, apps/web/src/app.tsx.');
    expect(step).toContain('add them to its "owns" in features/export-feature/feature.jsonc');
    expect(step).toContain('`nx g nx-agent-lanes:feedback export-feature --lane backend --message "..."`');
  });

  it('a failed agent, an over-budget lane and a lane with no record each get their own step', () => {
    const report = sample((r) => {
      r.outcome = 'lanes-not-ready';
      Object.assign(lane(r, 'backend'), { status: 'failed', reason: 'agent exited with code 2' });
      Object.assign(lane(r, 'frontend'), { status: 'over-budget', reason: 'spent $2.04 of $2.00' });
      r.notReady = [
        { lane: 'backend', why: 'failed' },
        { lane: 'search', why: 'its result.json is missing' },
      ];
    });
    const steps = planNextSteps(report);
    expect(steps[0]).toMatch(/^The agent of lane backend failed \(agent exited with code 2\)\. Read its transcript in dist\/agent-lanes\/export-feature\/backend\//);
    expect(steps[1]).toMatch(/^Lane frontend went over budget \(spent \$2\.04 of \$2\.00\)\. Raise its agent\.budgetUsd in features\/export-feature\/feature\.jsonc/);
    expect(steps[2]).toBe('Lane search is not ready: its result.json is missing.');
    expect(steps[3]).toMatch(/^Then run `nx run export-feature:integrate`/);
  });

  it('a conflict: the files, the lanes that touched each, and where to fix ownership', () => {
    const report = sample((r) => {
      r.outcome = 'conflict';
      r.integration.conflict = {
        lane: 'frontend',
        files: ['libs/export/src/index.ts'],
        touchedBy: { 'libs/export/src/index.ts': ['export-logic', 'frontend'] },
      };
    });
    const steps = planNextSteps(report);
    expect(steps[0]).toBe('libs/export/src/index.ts was changed by lanes export-logic and frontend.');
    expect(steps[1]).toContain("Lane frontend's change did not apply");
    expect(steps[1]).toContain('Give each file exactly one owner in features/export-feature/feature.jsonc');
    expect(steps[2]).toBe('Then run `nx run export-feature:integrate`.');
  });

  it('a red integration test: names the lanes whose files the output mentions', () => {
    const report = sample((r) => {
      r.outcome = 'integration-test-failed';
      r.integration = {
        test: 'npx jest e2e/export.e2e.spec.ts',
        passed: false,
        exitCode: 1,
        outputTail: 'Expected "created_at (UTC)"\n    at libs/export/src/to-csv.ts:41:7',
      };
    });
    const steps = planNextSteps(report);
    expect(steps).toEqual([
      'Every lane is green alone, but the integration test (`npx jest e2e/export.e2e.spec.ts`) failed on the merged tree.',
      "Its output mentions lane export-logic's files: libs/export/src/to-csv.ts.",
      'Tell the lane at fault what broke, in one line: `nx g nx-agent-lanes:feedback export-feature --lane export-logic --message "..."`.',
      'Then run `nx run export-feature:integrate`.',
    ]);
  });

  it('a red integration test that names no lane file: says so instead of guessing', () => {
    const report = sample((r) => {
      r.outcome = 'integration-test-failed';
      r.integration = { test: 'npm run e2e', passed: false, exitCode: 1, outputTail: 'TypeError: undefined is not a function' };
    });
    const steps = planNextSteps(report);
    expect(steps[1]).toContain("Its output names no lane's files");
    expect(steps.join('\n')).not.toContain('mentions lane');
  });

  it('quotes names a shell would split, and keeps backticks out of agent text', () => {
    const report = sample((r) => {
      r.outcome = 'lanes-not-ready';
      r.feature.name = "bob's export";
      Object.assign(lane(r, 'docs'), { status: 'blocked', question: 'Use `;` as separator?' });
    });
    const [step] = planNextSteps(report);
    expect(step).toContain(`\`nx g nx-agent-lanes:answer 'bob'\\''s export' --lane docs --answer "..."\``);
    expect(step).toContain(`asks: "Use ';' as separator?"`);
  });
});
