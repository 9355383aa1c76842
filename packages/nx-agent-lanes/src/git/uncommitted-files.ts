import { execGit } from './run-git';

/**
 * Files matching `patterns` (workspace-relative paths or globs) that differ from HEAD in the
 * user's checkout, staged, unstaged or untracked. Read-only: `git status` with
 * --no-optional-locks does not even refresh the index.
 */
export async function listUncommittedFiles(workspaceRoot: string, patterns: readonly string[]): Promise<string[]> {
  if (!patterns.length) return [];
  const pathspec = patterns.map((p) => `:(glob)${p}`);
  const { stdout, exitCode } = await execGit(workspaceRoot, [
    '--no-optional-locks', 'status', '--porcelain', '-z', '--untracked-files=all', '--', ...pathspec,
  ]);
  if (exitCode !== 0) return [];
  return stdout
    .split('\0')
    .filter((entry) => entry.length > 3)
    .map((entry) => entry.slice(3));
}
