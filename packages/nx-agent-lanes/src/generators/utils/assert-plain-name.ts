import { LanesError } from '../../errors';

/**
 * Feature and lane names become Nx project and target names (`lane--<lane>`), branch names
 * (`lanes/<feature>`) and folder names, so they stay plain: a letter, then letters, digits
 * and single dashes. A double dash would be ambiguous next to the `--` target separator.
 */
const PLAIN_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/i;

export function isPlainName(value: string): boolean {
  return PLAIN_NAME.test(value);
}

/** Throws a LanesError naming the bad value and the rule, for a generator option. */
export function assertPlainName(options: { kind: 'feature' | 'lane'; value: string }): void {
  if (isPlainName(options.value)) return;
  throw new LanesError(
    `"${options.value}" is not a valid ${options.kind} name: use a letter followed by letters, digits and single dashes (for example "export-csv").`,
  );
}
