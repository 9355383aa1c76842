import { describeCheckFailure } from './describe-check-failure';

describe('describeCheckFailure', () => {
  it('gives an ordinary failing test its exit code only', () => {
    expect(describeCheckFailure('tests', { command: 'npx jest', exitCode: 1, outputTail: 'FAIL a.spec.ts' })).toBe('tests `npx jest` failed (exit 1)');
  });

  it("explains the shell's not-found code with its own line and where to fix the command", () => {
    expect(describeCheckFailure('tests', { command: 'jestt a.spec.ts', exitCode: 127, outputTail: '/bin/sh: 1: jestt: not found' })).toBe(
      'tests `jestt a.spec.ts` failed (exit 127): the shell could not find the command (/bin/sh: 1: jestt: not found). ' +
        'Fix "test" in feature.jsonc, or make the tool available in a fresh worktree (the feature\'s "setup" runs there first).',
    );
  });

  it('explains a command that is not executable, for setup too', () => {
    expect(describeCheckFailure('setup', { command: './setup.sh', exitCode: 126, outputTail: '/bin/sh: 1: ./setup.sh: Permission denied' })).toMatch(
      /^setup `\.\/setup\.sh` failed \(exit 126\): the command is not executable \(.*Permission denied\)\. Fix "setup" in feature\.jsonc/,
    );
  });

  it('says a command stopped by a limit or an interrupt did not finish', () => {
    expect(describeCheckFailure('tests', { command: 'npm test', exitCode: null, outputTail: 'running\n(interrupted)' })).toBe('tests `npm test` did not finish (interrupted)');
  });
});
