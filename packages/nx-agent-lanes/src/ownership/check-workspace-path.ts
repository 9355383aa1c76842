/** Why a path may never be owned or changed by a lane. */
export type WorkspacePathReason = 'outside-workspace' | 'protected';

/**
 * Folders no lane may write, at any depth: git's own data (a worktree's `.git` is a file
 * pointing at the main repository) and installed packages, which `setup` recreates.
 */
export const PROTECTED_SEGMENTS: readonly string[] = ['.git', 'node_modules'];

/**
 * Whether a workspace-relative path or glob leaves the workspace (absolute, a drive letter,
 * a `..` segment) or enters a protected folder. Undefined when it is fine.
 */
export function checkWorkspacePath(path: string): WorkspacePathReason | undefined {
  if (/^[\\/]/.test(path) || /^[a-zA-Z]:/.test(path) || path.startsWith('~')) return 'outside-workspace';
  const segments = path.split(/[\\/]/);
  if (segments.includes('..')) return 'outside-workspace';
  if (segments.some((s) => PROTECTED_SEGMENTS.includes(s.toLowerCase()))) return 'protected';
  return undefined;
}
