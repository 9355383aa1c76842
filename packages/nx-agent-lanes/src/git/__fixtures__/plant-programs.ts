/**
 * Test support: plants in a repository every program git can be configured to run (hooks,
 * core.hooksPath, core.fsmonitor, filters by attribute, textconv, an external diff, a merge
 * driver, a credential helper, a signing program, an ssh command) and points each at one
 * marker file. A hardened git command must leave the marker unwritten.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTestGit } from '../create-test-repo';

/** Hooks the plugin's commands could reach: checkout, ref updates, index writes, commits, gc. */
export const PLANTED_HOOKS = [
  'post-checkout',
  'reference-transaction',
  'post-index-change',
  'pre-commit',
  'prepare-commit-msg',
  'commit-msg',
  'post-commit',
  'pre-auto-gc',
  'post-rewrite',
  'pre-push',
];

export interface PlantedPrograms {
  /** The file every planted program appends its name to. */
  marker: string;
  /** What ran so far, one name a line; empty when nothing did. */
  ran(): string[];
}

/**
 * Plants the programs through `gitDir`'s config (the common dir, as an agent reaching it from
 * its worktree would) and `.git/info/attributes`. `hooksPath` also points core.hooksPath at a
 * folder of hooks, which replaces .git/hooks.
 */
export function plantPrograms(options: { repoRoot: string; gitDir: string; scratch: string; hooksPath?: boolean }): PlantedPrograms {
  const { repoRoot, gitDir, scratch } = options;
  const marker = join(scratch, 'planted-programs-ran.log');
  const bin = join(scratch, 'planted-bin');
  mkdirSync(bin, { recursive: true });
  const program = (name: string, tail = 'cat') => {
    const file = join(bin, name);
    writeFileSync(file, `#!/bin/sh\necho ${name} >> '${marker}'\n${tail}\n`);
    chmodSync(file, 0o755);
    return file;
  };
  const hooksDir = options.hooksPath ? join(scratch, 'planted-hooks') : join(gitDir, 'hooks');
  mkdirSync(hooksDir, { recursive: true });
  for (const hook of PLANTED_HOOKS) {
    writeFileSync(join(hooksDir, hook), `#!/bin/sh\necho hook:${hook} >> '${marker}'\nexit 0\n`);
    chmodSync(join(hooksDir, hook), 0o755);
  }
  const config = (key: string, value: string) => runTestGit(['config', '--file', join(gitDir, 'config'), key, value], repoRoot);
  if (options.hooksPath) config('core.hooksPath', hooksDir);
  config('core.fsmonitor', program('fsmonitor', 'exit 1'));
  config('filter.evil.clean', program('filter-clean'));
  config('filter.evil.smudge', program('filter-smudge'));
  config('filter.evil.required', 'true');
  // A driver name `-c` could not spell: it splits at the first `=`.
  config('filter.a=b.clean', program('filter-a=b-clean'));
  config('filter.proc.process', program('filter-process', 'exit 1'));
  config('diff.evil.textconv', program('textconv', 'cat "$1"'));
  config('diff.evil.command', program('diff-command', 'exit 0'));
  config('diff.external', program('diff-external', 'exit 0'));
  config('merge.evil.driver', program('merge-driver', 'exit 0'));
  config('credential.helper', program('credential-helper', 'exit 0'));
  config('core.sshCommand', program('ssh-command', 'exit 1'));
  config('gpg.program', program('gpg-program', 'exit 1'));
  config('commit.gpgSign', 'true');
  config('alias.lanes-planted', `!${program('alias')}`);
  mkdirSync(join(gitDir, 'info'), { recursive: true });
  writeFileSync(join(gitDir, 'info', 'attributes'), '* filter=evil diff=evil merge=evil\n*.txt filter=a=b\n*.md filter=proc\n');
  return {
    marker,
    ran: () => (existsSync(marker) ? readFileSync(marker, 'utf8').split('\n').filter(Boolean) : []),
  };
}
