import type { Node } from 'jsonc-parser';
import { posix } from 'node:path';
import { type PlanContext, reportProblem } from './plan-context';

/**
 * What a probe found at a path the plan names. `outside-workspace`: the path is inside on paper
 * but resolves (through a symbolic link) to a file outside the workspace.
 */
export type FileStatus = 'file' | 'missing' | 'unreadable' | 'directory' | 'outside-workspace';

/**
 * `relative` (as written, relative to the feature folder `root`) as a workspace-relative
 * posix path, or undefined when it is absolute or climbs out of the workspace.
 */
export function resolveFeaturePath(root: string, relative: string): string | undefined {
  if (/^[\\/]/.test(relative) || /^[a-zA-Z]:/.test(relative)) return undefined;
  const joined = posix.normalize(posix.join(root, relative.replace(/\\/g, '/')));
  if (joined === '..' || joined.startsWith('../') || joined === '.') return undefined;
  return joined;
}

export interface CheckPlanFileOptions {
  /** The value node naming the file: problems point at it. */
  node: Node;
  /** The path as written, relative to the feature folder. */
  value: string;
  /** The feature folder, workspace-relative. */
  root: string;
  /** How messages name the field: `contract`, `lanes.backend.spec`. */
  field: string;
  /** What the file is, for messages: `contract`, `spec of lane \`backend\``. */
  what: string;
  fileStatus: (workspacePath: string) => FileStatus;
}

/** The workspace-relative path of a file the plan names, when it is inside the workspace and readable. */
export function checkPlanFile(ctx: PlanContext, options: CheckPlanFileOptions): string | undefined {
  const { node, value, root, field, what } = options;
  const path = resolveFeaturePath(root, value);
  if (path === undefined) {
    reportProblem(ctx, node, `\`${field}\` (\`${value}\`) points outside the workspace; it is relative to the feature folder \`${root}\` and must stay inside the workspace.`);
    return undefined;
  }
  const status = options.fileStatus(path);
  if (status === 'missing') {
    reportProblem(ctx, node, `The ${what} file \`${path}\` does not exist (\`${field}\` is relative to \`${root}\`); create it or fix the path.`);
  } else if (status === 'unreadable') {
    reportProblem(ctx, node, `The ${what} file \`${path}\` exists but cannot be read; check its permissions.`);
  } else if (status === 'directory') {
    reportProblem(ctx, node, `The ${what} \`${path}\` is a directory; point \`${field}\` at a markdown file.`);
  } else if (status === 'outside-workspace') {
    // Its text goes into every prompt of the lane: a link must not pull in a file the plan cannot name.
    reportProblem(
      ctx,
      node,
      `The ${what} \`${path}\` is a symbolic link (or inside one) that resolves outside the workspace, so it is refused: ` +
        `its content would go into the agents' prompts. Copy the file into the workspace in place of the link, or point \`${field}\` at a file inside it.`,
    );
  }
  return status === 'file' ? path : undefined;
}
