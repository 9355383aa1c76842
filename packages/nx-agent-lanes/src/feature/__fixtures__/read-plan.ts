import type { PlanProblem } from '../../errors';
import { type FileStatus, readFeature } from '../read-feature';

/* Helpers of the readFeature specs: literal plans in, problems without the file name out. */

export const FILE = 'features/export/feature.jsonc';

/** A fileStatus probe over a literal table; anything not listed is missing. */
export function probeOf(table: Record<string, FileStatus>): (path: string) => FileStatus {
  return (path) => table[path] ?? 'missing';
}

export const FILES = probeOf({
  'features/export/contract.md': 'file',
  'features/export/lanes/api.md': 'file',
  'features/export/lanes/web.md': 'file',
});

/** The problems of a plan given line by line (so positions can be read off the source); asserts it is rejected. */
export function problemsOf(lines: string[], fileStatus = FILES): Omit<PlanProblem, 'file'>[] {
  const { feature, problems } = readFeature({ file: FILE, text: lines.join('\n'), fileStatus });
  expect(feature).toBeUndefined();
  for (const p of problems) expect(p.file).toBe(FILE);
  return problems.map(({ line, column, message }) => ({ line, column, message }));
}
