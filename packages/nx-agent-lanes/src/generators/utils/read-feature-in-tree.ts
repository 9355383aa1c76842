import { globAsync, type Tree } from '@nx/devkit';
import { readFeature, type FileStatus, type ReadFeatureResult } from '../../feature/read-feature';

export interface ReadFeatureInTreeOptions {
  tree: Tree;
  /** Workspace-relative path of feature.jsonc. */
  file: string;
  /** The plan text to check: the file's content, or the content a generator is about to write. */
  text: string;
  /** Files the generator will write after validation; the check counts them as present. */
  plannedFiles?: readonly string[];
}

/** Whether a plan text mentions a glob, so that overlap checks need the workspace's file list. */
function mentionsGlob(text: string): boolean {
  return /[*?[{]/.test(text);
}

/**
 * Validates a plan against the Tree rather than the disk, so a generator can check the plan it
 * is about to write (including files created earlier in the same run) before writing anything.
 */
export async function readFeatureInTree(options: ReadFeatureInTreeOptions): Promise<ReadFeatureResult> {
  const { tree, file, text } = options;
  const planned = new Set(options.plannedFiles ?? []);
  const fileStatus = (workspacePath: string): FileStatus => {
    if (planned.has(workspacePath)) return 'file';
    if (!tree.exists(workspacePath)) return 'missing';
    return tree.isFile(workspacePath) ? 'file' : 'directory';
  };
  // Listing the workspace is only worth it when two globs might overlap.
  const repoFiles = mentionsGlob(text)
    ? (await globAsync(tree, ['**/*'])).filter((p) => !p.split('/').includes('node_modules'))
    : [];
  const listFolders = (folder: string): string[] =>
    tree.children(folder).filter((name) => !tree.isFile(folder ? `${folder}/${name}` : name));
  return readFeature({ file, text, fileStatus, listFolders, repoFiles });
}
