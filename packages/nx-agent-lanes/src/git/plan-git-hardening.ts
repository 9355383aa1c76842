/**
 * Pure: the configuration every git command of the plugin runs with, so that nothing a
 * repository configures runs inside it (issue 11: an agent wrote hooks, core.fsmonitor and
 * filters into the user's .git through its worktree, and the plugin's own git ran them).
 * No I/O here; run-git.ts reads the configuration and spawns git.
 */
import * as os from 'node:os';

/** One `git config --list --show-scope --show-origin -z` entry. A key set without `=` has no value. */
export interface GitConfigEntry {
  scope: string;
  /** Where git read it: `file:<path>`, `command line:`, ... */
  origin: string;
  key: string;
  value?: string;
}

/**
 * Set on every command, whoever configured otherwise: these run programs or start daemons
 * (the builtin fsmonitor leaves one per worktree), and none of them is needed to read or write
 * a lane's change. Command-line configuration outranks every file, the repository's included.
 */
export const ALWAYS_CONFIG: ReadonlyArray<readonly [string, string]> = [
  ['core.hooksPath', os.devNull],
  ['core.fsmonitor', 'false'],
  ['core.untrackedCache', 'false'],
  ['core.pager', 'cat'],
  ['diff.external', ''],
  ['submodule.recurse', 'false'],
  ['commit.gpgSign', 'false'],
  ['tag.gpgSign', 'false'],
  ['gc.auto', '0'],
  ['maintenance.auto', 'false'],
  ['protocol.ext.allow', 'never'],
];

/**
 * Keys whose value is a program git runs, by driver name or on its own. `section.key` and
 * `section.<sub>.key`; section and key as `git config --list` prints them (lower case), the
 * subsection as written, which may hold dots, spaces or `=`.
 */
const PROGRAM_KEYS: readonly RegExp[] = [
  /^filter\..+\.(clean|smudge|process|required)$/,
  /^diff\..+\.(textconv|command)$/,
  /^merge\..+\.driver$/,
  /^credential\.(.+\.)?helper$/,
  /^gpg\.(.+\.)?program$/,
  /^core\.(sshcommand|askpass|editor)$/,
  /^sequence\.editor$/,
];

/** Configuration a user writes (their system and global files, and our own `-c`); anything else comes from the repository. */
const USER_SCOPES = new Set(['system', 'global', 'command']);

/** Parses `git config --list --show-scope --show-origin -z`: `scope NUL origin NUL key [LF value] NUL`, repeated. */
export function parseConfigList(output: string): GitConfigEntry[] {
  const fields = output.split('\0');
  const entries: GitConfigEntry[] = [];
  for (let i = 0; i + 2 < fields.length; i += 3) {
    const [scope, origin, raw] = [fields[i], fields[i + 1], fields[i + 2]];
    const newline = raw.indexOf('\n');
    entries.push(newline < 0 ? { scope, origin, key: raw } : { scope, origin, key: raw.slice(0, newline), value: raw.slice(newline + 1) });
  }
  return entries;
}

/**
 * Overrides for every program key the repository sets (its config, config.worktree, and the
 * files they include): the key is reset to empty, which switches a filter, textconv or helper
 * off and empties a list, then given back the values the user's own files hold, so a git-lfs
 * filter or a credential helper from ~/.gitconfig still works. Drivers are named in
 * .gitattributes and .git/info/attributes, which outrank every other attributes file, so the
 * only place to switch them off is their definition.
 */
export function planConfigOverrides(entries: readonly GitConfigEntry[]): Array<[string, string]> {
  const fromRepository = new Set<string>();
  const userValues = new Map<string, string[]>();
  for (const entry of entries) {
    if (!PROGRAM_KEYS.some((pattern) => pattern.test(entry.key))) continue;
    if (!USER_SCOPES.has(entry.scope)) fromRepository.add(entry.key);
    else if (entry.scope !== 'command' && entry.value !== undefined) {
      userValues.set(entry.key, [...(userValues.get(entry.key) ?? []), entry.value]);
    }
  }
  const overrides: Array<[string, string]> = [];
  for (const key of fromRepository) {
    overrides.push([key, '']);
    for (const value of userValues.get(key) ?? []) overrides.push([key, value]);
  }
  return overrides;
}

/**
 * The environment entries that pass configuration to git without parsing it from argv: `-c`
 * splits at the first `=`, so a driver named `a=b` could not be switched off there.
 * GIT_CONFIG_COUNT (git 2.31) ranks with `-c`, above every file.
 */
export function configEnvironment(config: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(config.length) };
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

/**
 * Commands that never read file content through a driver, a helper or a signing program, in
 * every form the plugin runs them: ALWAYS_CONFIG covers them, and reading the configuration
 * first (one more git process per command) would double the cost of the plugin's commonest
 * calls. Measured, not assumed: `write-tree` reads the index and starts a process filter, so it
 * is not here; `worktree add` checks files out, and so filters them, unless told not to;
 * `worktree move` renames the folder and rewrites git's pointers, reading no file.
 */
const CONTENT_FREE = new Set([
  'rev-parse', 'for-each-ref', 'show-ref', 'ls-tree', 'update-ref', 'symbolic-ref', 'check-ref-format',
  'branch', 'commit-tree', 'config', 'merge-base', 'rev-list', 'diff-tree',
]);

/** Whether a command needs the repository's program keys switched off (see planConfigOverrides). */
export function needsConfigOverrides(args: readonly string[]): boolean {
  const at = subcommandIndex(args);
  const command = args[at];
  if (command === undefined) return true;
  if (command === 'worktree') {
    const sub = args[at + 1];
    return !(sub === 'list' || sub === 'prune' || sub === 'remove' || sub === 'move' || (sub === 'add' && args.includes('--no-checkout')));
  }
  return !CONTENT_FREE.has(command);
}

/** Where the subcommand is, past git's own options (`-c key=value`, `-C dir`, `--git-dir=...`). */
function subcommandIndex(args: readonly string[]): number {
  let i = 0;
  while (i < args.length && args[i].startsWith('-')) i += args[i] === '-c' || args[i] === '-C' ? 2 : 1;
  return i;
}
