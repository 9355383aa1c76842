import type { CheckCommandResult } from './run-check-command';

/**
 * Why a lane's setup or test command failed, for verify.json and the terminal. Exit 127 and 126
 * are the shell's own ("not found", "not executable"), not the test's: they mean the command
 * line is wrong, so the shell's last line and where to fix it are part of the reason.
 */
export function describeCheckFailure(what: 'tests' | 'setup', result: Pick<CheckCommandResult, 'command' | 'exitCode' | 'outputTail'>): string {
  const last = result.outputTail.trim().split('\n').pop()?.trim() ?? '';
  if (result.exitCode === null) return `${what} \`${result.command}\` did not finish${last ? ` ${last}` : ''}`;
  const failed = `${what} \`${result.command}\` failed (exit ${result.exitCode})`;
  if (result.exitCode !== 127 && result.exitCode !== 126) return failed;
  const why = result.exitCode === 127 ? 'the shell could not find the command' : 'the command is not executable';
  return (
    `${failed}: ${why}${last ? ` (${last})` : ''}. Fix "${what === 'tests' ? 'test' : 'setup'}" in feature.jsonc, ` +
    `or make the tool available in a fresh worktree (the feature's "setup" runs there first).`
  );
}
