/**
 * Pure: what to do next, one line per step, with the exact command to run. Commands are in
 * backticks so the markdown and HTML renderers can set them as code; the integrate executor
 * prints the same lines to the terminal.
 */
import { INTEGRATE_TARGET, VERIFY_FILE, laneArtifactsDir } from '../layout';
import { isLaneGreen } from './describe-run';
import type { LaneReport, ReviewReport } from './review-report';

type ReportInput = Omit<ReviewReport, 'nextSteps'>;

export function planNextSteps(report: ReportInput): string[] {
  switch (report.outcome) {
    case 'green':
      return planGreenSteps(report);
    case 'lanes-not-ready':
      return planNotReadySteps(report);
    case 'conflict':
      return planConflictSteps(report);
    case 'integration-test-failed':
      return planIntegrationTestSteps(report);
  }
}

function planGreenSteps(report: ReportInput): string[] {
  const risky = report.lanes.filter((l) => l.risky).map((l) => l.name);
  const merge = `merge branch ${report.branch} (${code(`git merge ${quoteArg(report.branch)}`)} or open a PR from it)`;
  if (!risky.length) return [`No file matched review.risky, so every lane is covered by its tests: ${merge}.`];
  return [
    `Review the risky diffs in this report (lane${risky.length === 1 ? '' : 's'} ${risky.join(', ')}), then ${merge}.`,
    `To change a risky diff, send one line back to its lane: ${feedbackCommand(report, risky[0])}, then ${integrateCommand(report)}.`,
  ];
}

function planNotReadySteps(report: ReportInput): string[] {
  const steps: string[] = [];
  const covered = new Set<string>();
  for (const lane of report.lanes) {
    const step = planLaneStep(report, lane);
    if (step) {
      steps.push(step);
      covered.add(lane.name);
    }
  }
  // notReady may name reasons the lane's own record does not show (it never ran, its artifacts are missing).
  for (const entry of report.notReady ?? []) {
    if (!covered.has(entry.lane)) steps.push(`Lane ${entry.lane} is not ready: ${entry.why}.`);
  }
  steps.push(`Then run ${integrateCommand(report)}: only the lanes you changed run again, the others come from cache.`);
  return steps;
}

/** The step that unblocks one lane, or undefined for a green lane. */
function planLaneStep(report: ReportInput, lane: LaneReport): string | undefined {
  const dir = `${laneArtifactsDir(report.feature.name, lane.name)}/`;
  switch (lane.status) {
    case 'blocked':
      return (
        `Lane ${lane.name} is blocked${lane.question ? ` and asks: "${oneLine(lane.question)}"` : ''}. ` +
        `Answer it: ${command(report, 'answer', lane.name, '--answer')}.`
      );
    case 'failed':
      return (
        `The agent of lane ${lane.name} failed${lane.reason ? ` (${oneLine(lane.reason)})` : ''}. ` +
        `Read its transcript in ${dir}, fix the cause or give feedback: ${feedbackCommand(report, lane.name)}.`
      );
    case 'over-budget':
      return (
        `Lane ${lane.name} went over budget${lane.reason ? ` (${oneLine(lane.reason)})` : ''}. ` +
        `Raise its agent.budgetUsd in ${report.feature.file} or narrow the work: ${feedbackCommand(report, lane.name)}.`
      );
    case 'done':
      break;
  }
  if (!lane.ownership.ok) {
    const paths = lane.ownership.violations.map((v) => v.path).join(', ');
    return (
      `Lane ${lane.name} changed files it does not own: ${paths}. ` +
      `If the lane should own them, add them to its "owns" in ${report.feature.file}; ` +
      `otherwise tell it to stay inside its files: ${feedbackCommand(report, lane.name)}.`
    );
  }
  if (!lane.tests.passed) {
    const exit = lane.tests.exitCode === undefined ? '' : `, exit ${lane.tests.exitCode}`;
    return (
      `The tests of lane ${lane.name} failed (${code(lane.tests.command)}${exit}). ` +
      `Read their output (in this report and in ${dir}${VERIFY_FILE}), then give feedback: ${feedbackCommand(report, lane.name)}.`
    );
  }
  return isLaneGreen(lane) ? undefined : `Lane ${lane.name} is not ready.`;
}

function planConflictSteps(report: ReportInput): string[] {
  const conflict = report.integration.conflict;
  if (!conflict) return [`The lanes conflicted. Make ownership disjoint in ${report.feature.file}, then ${integrateCommand(report)}.`];
  const steps = conflict.files.map((file) => {
    const lanes = conflict.touchedBy[file]?.length ? conflict.touchedBy[file] : [conflict.lane];
    return `${file} was changed by lane${lanes.length === 1 ? '' : 's'} ${lanes.join(' and ')}.`;
  });
  steps.push(
    `Lane ${conflict.lane}'s change did not apply on top of the others. Give each file exactly one owner in ` +
      `${report.feature.file} (the lanes' "owns" and "forbids"), or tell a lane to leave the file alone: ` +
      `${feedbackCommand(report, conflict.lane)}.`,
  );
  steps.push(`Then run ${integrateCommand(report)}.`);
  return steps;
}

function planIntegrationTestSteps(report: ReportInput): string[] {
  const output = report.integration.outputTail ?? '';
  const suspects = report.lanes
    .map((lane) => ({ lane: lane.name, files: lane.files.map((f) => f.path).filter((p) => output.includes(p)) }))
    .filter((s) => s.files.length > 0);
  const test = report.integration.test ? ` (${code(report.integration.test)})` : '';
  const steps = [`Every lane is green alone, but the integration test${test} failed on the merged tree.`];
  if (suspects.length) {
    for (const s of suspects) steps.push(`Its output mentions lane ${s.lane}'s files: ${s.files.join(', ')}.`);
    steps.push(`Tell the lane at fault what broke, in one line: ${feedbackCommand(report, suspects[0].lane)}.`);
  } else {
    steps.push(
      `Its output names no lane's files: read it in this report, check the seam against the contract, and give feedback to ` +
        `the lane on the wrong side of it: ${feedbackCommand(report, report.lanes[0]?.name ?? '<lane>')}.`,
    );
  }
  steps.push(`Then run ${integrateCommand(report)}.`);
  return steps;
}

function feedbackCommand(report: ReportInput, lane: string): string {
  return command(report, 'feedback', lane, '--message');
}

function command(report: ReportInput, generator: string, lane: string, flag: string): string {
  return code(`nx g nx-agent-lanes:${generator} ${quoteArg(report.feature.name)} --lane ${quoteArg(lane)} ${flag} "..."`);
}

function integrateCommand(report: ReportInput): string {
  return code(`nx run ${quoteArg(report.feature.name)}:${INTEGRATE_TARGET}`);
}

/** Leaves ordinary names bare so the command reads naturally; quotes anything a shell would split. */
function quoteArg(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A command set in backticks. A backtick inside would end the span early, and no command we print needs one. */
function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

/** Agent-written text on one line, its backticks made quotes so it cannot open a code span. */
function oneLine(text: string): string {
  return text.replace(/`/g, "'").replace(/\s+/g, ' ').trim();
}
