import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GitError } from '../errors';
import { type ChangedFile, parseApplyFailures, parseNameStatus, patchFiles } from './patch-files';
import { execGit, runGit } from './run-git';
import { readGitDirPointer } from './worktree-admin-dir';

export type { ChangedFile } from './patch-files';
export { patchFiles } from './patch-files';

export interface CapturedPatch {
  /** `git diff --binary` text: applies with `git apply` (see applyLanePatch). Empty when nothing changed. */
  patch: string;
  files: ChangedFile[];
}

export interface CaptureLanePatchOptions {
  /** The lane's worktree. */
  worktree: string;
  /** What the patch is relative to: usually the worktree's `startCommit`. */
  baseCommit: string;
  /** Worktree-relative paths (files or folders) left out of the patch. */
  exclude?: string[];
  /**
   * The index already holds the change (see stageFromSnapshot): diff it without a `git add` in
   * the worktree, which would hash whatever the files hold by then into the object store.
   */
  staged?: boolean;
  /** What needsNodeModulesExclude answered for this worktree, when the caller already asked. */
  nodeModulesExclude?: string[];
}

export interface ApplyLanePatchOptions {
  worktree: string;
  patch: string;
  /** When given, the applied change is committed on the worktree's HEAD with this message. */
  commitMessage?: string;
  /** Author and committer of that commit; default nx-agent-lanes <agent-lanes@localhost>. */
  author?: { name: string; email: string };
  /** HEAD's commit, when the caller just read it: the new commit's parent, which HEAD must still be. */
  parent?: string;
}

const DEFAULT_AUTHOR = { name: 'nx-agent-lanes', email: 'agent-lanes@localhost' };

/**
 * The flags that make `git diff` print a patch `git apply` reads back whatever the user's
 * config says: diff.noprefix, diff.external, textconv, color.diff and diff.relative all
 * change the output otherwise.
 */
const DIFF_FLAGS = ['--cached', '-M', '--no-ext-diff', '--no-textconv', '--no-color', '--no-relative'];

function capturePathspec(exclude: string[]): string[] {
  return ['.', ...exclude.map((p) => `:(exclude,literal)${p}`)];
}

/**
 * `node_modules` may be our symlink to the main checkout's, and `.gitignore`'s `node_modules/`
 * does not match a symlink: exclude it then. Not when .gitignore already ignores it, because
 * `git add` fails when a pathspec names an ignored path, even to exclude it.
 */
export async function needsNodeModulesExclude(worktree: string): Promise<string[]> {
  if (!fs.existsSync(path.join(worktree, 'node_modules'))) return [];
  const ignored = await execGit(worktree, ['check-ignore', '-q', '--no-index', 'node_modules']);
  return ignored.exitCode === 0 ? [] : ['node_modules'];
}

/**
 * Everything that changed in the worktree since `baseCommit`: edits, deletions, renames, new
 * untracked files (respecting .gitignore) and binary files. Stages in the worktree's own index,
 * which is the lane's, never the user's.
 */
export async function captureLanePatch(options: CaptureLanePatchOptions): Promise<CapturedPatch> {
  const { worktree, baseCommit } = options;
  const pathspec = capturePathspec([...(options.nodeModulesExclude ?? (await needsNodeModulesExclude(worktree))), ...(options.exclude ?? [])]);
  if (!options.staged) await runGit(worktree, ['add', '-A', '--', ...pathspec]);
  const nameStatus = await runGit(worktree, ['diff', ...DIFF_FLAGS, '--name-status', '-z', baseCommit, '--', ...pathspec]);
  const files = parseNameStatus(nameStatus);
  if (files.length === 0) return { patch: '', files };
  const first = await writeDiff(worktree, baseCommit, pathspec, []);
  if (typeof first === 'string') return { patch: first, files };
  // A text file in a legacy encoding (Latin-1, Shift JIS) would not survive a UTF-8 string:
  // send those files as binary, which `git apply` restores byte for byte.
  const attributes = binaryAttributes(first);
  const patch = await withTempFile(attributes, (file) =>
    writeDiff(worktree, baseCommit, pathspec, ['-c', `core.attributesFile=${file}`]),
  );
  if (typeof patch !== 'string') throw new GitError(`The change in ${worktree} could not be captured as a UTF-8 patch.`);
  return { patch, files };
}

/** A path that changed in a worktree; `tracked` when the index knows it (so `git add` may stage its removal). */
export interface WorktreeChange {
  path: string;
  tracked: boolean;
}

/**
 * What changed in the worktree since `baseCommit`, without writing anything to the object store:
 * `changed` are the paths whose files differ from the index (staged, unstaged or untracked,
 * .gitignore respected; a nested repository as `dir/`), `committed` the paths of commits the
 * agent made itself, which the patch carries too.
 */
export async function listWorktreeChanges(worktree: string, baseCommit: string, exclude: string[] = []): Promise<{ changed: WorktreeChange[]; committed: string[] }> {
  const pathspec = capturePathspec(exclude);
  const committed = await runGit(worktree, ['diff', '--no-renames', '--name-only', '-z', baseCommit, 'HEAD', '--', ...pathspec]);
  const status = await runGit(worktree, ['status', '--porcelain', '-z', '--no-renames', '--untracked-files=all', '--', ...pathspec]);
  const changed = status
    .split('\0')
    .filter((e) => e.length > 3)
    // `D ` is a removal already staged (`git rm`): the index no longer knows the path, and a
    // pathspec naming it would make `git add` fail.
    .map((e) => ({ path: e.slice(3), tracked: !e.startsWith('??') && !e.startsWith('D ') }));
  return { changed, committed: committed.split('\0').filter(Boolean) };
}

/**
 * Stages `paths` into the worktree's index from `snapshot`, a private folder holding copies of
 * those files as the caller read and checked them (a path missing there is staged as removed).
 * git reads the snapshot, not the worktree: so what reaches the object store is exactly what was
 * checked, even if something still running in the worktree rewrites a file in between. A `.git`
 * file in the snapshot names the worktree's git directory, which makes the snapshot that
 * directory's work tree for these commands (as a linked worktree's own `.git` file does), with
 * the repository's configuration and hardening, attributes and ignore rules; `-f` because which
 * paths count was already decided, by `listWorktreeChanges` in the worktree itself.
 */
export async function stageFromSnapshot(options: { worktree: string; snapshot: string; paths: string[] }): Promise<void> {
  const { worktree, snapshot, paths } = options;
  if (paths.length === 0) return;
  const gitDir = readGitDirPointer(worktree) || (await runGit(worktree, ['rev-parse', '--absolute-git-dir'])).trim();
  fs.writeFileSync(path.join(snapshot, '.git'), `gitdir: ${gitDir}\n`);
  await withTempFile(paths.map((p) => `:(literal)${p}\0`).join(''), async (list) => {
    await runGit(snapshot, ['add', '-A', '-f', `--pathspec-from-file=${list}`, '--pathspec-file-nul']);
  });
}

/**
 * The diff as text, or its raw bytes when they are not valid UTF-8. Written via --output so
 * the bytes can be checked; core.quotePath keeps every path in the headers ASCII.
 */
async function writeDiff(worktree: string, base: string, pathspec: string[], config: string[]): Promise<string | Buffer> {
  return withTempFile('', async (output) => {
    const args = [...config, '-c', 'core.quotePath=true', 'diff', ...DIFF_FLAGS, '--binary', '--src-prefix=a/', '--dst-prefix=b/'];
    await runGit(worktree, [...args, `--output=${output}`, base, '--', ...pathspec]);
    const bytes = fs.readFileSync(output);
    return decodeUtf8(bytes) ?? bytes;
  });
}

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * A gitattributes file marking binary the files whose part of `diff` is not UTF-8. A path a
 * pattern cannot spell plainly (spaces, leading `#`, `!` or `"`) marks every file binary instead.
 */
export function binaryAttributes(diff: Buffer): string {
  const paths = new Set<string>();
  for (const section of diff.toString('latin1').split(/(?=^diff --git )/m)) {
    if (decodeUtf8(Buffer.from(section, 'latin1')) === undefined) for (const p of patchFiles(section)) paths.add(p);
  }
  const lines: string[] = [];
  for (const p of paths) {
    if (/\s|^[#!"]/.test(p)) return '* binary\n';
    lines.push(`/${p.replace(/[\\*?[]/g, (c) => `\\${c}`)} binary`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '* binary\n';
}

async function withTempFile<T>(content: string, use: (file: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nx-agent-lanes-patch-'));
  const file = path.join(dir, 'file');
  fs.writeFileSync(file, content);
  try {
    return await use(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Applies a patch to the worktree's files and index, all or nothing, and optionally commits it.
 * An empty patch changes nothing and makes no commit. Throws GitError naming the files that did
 * not apply; the worktree is then left as it was.
 */
export async function applyLanePatch(options: ApplyLanePatchOptions): Promise<{ files: string[]; commit?: string }> {
  const { worktree, patch } = options;
  if (patch.trim() === '') return { files: [] };
  const files = patchFiles(patch);
  const args = ['apply', '--index', '--binary', '--whitespace=nowarn', '-'];
  const result = await execGit(worktree, args, { input: patch });
  if (result.exitCode !== 0) {
    const failed = parseApplyFailures(result.stderr);
    const named = failed.length > 0 ? failed.join(', ') : files.join(', ');
    throw new GitError(`The patch does not apply in ${worktree}; these files conflict: ${named}.\n${result.stderr.trim()}`, {
      hint: 'The files changed since the patch was made. Rerun the lanes involved from the current base, or apply the patch by hand.',
    });
  }
  if (options.commitMessage === undefined) return { files };
  const commit = await commitIndex({ worktree, message: options.commitMessage, author: options.author ?? DEFAULT_AUTHOR, parent: options.parent });
  return { files, commit };
}

/**
 * Commits the worktree's index on its HEAD with plumbing (write-tree, commit-tree, update-ref):
 * `git commit` would run the repository's hooks (husky, lint-staged) on our automatic commits.
 * The identity is passed with -c so it works on machines with no git identity configured.
 */
async function commitIndex(options: { worktree: string; message: string; author: { name: string; email: string }; parent?: string }): Promise<string> {
  const { worktree, message, author } = options;
  const identity = ['-c', `user.name=${author.name}`, '-c', `user.email=${author.email}`, '-c', 'commit.gpgSign=false'];
  const tree = (await runGit(worktree, ['write-tree'])).trim();
  // update-ref below moves HEAD only from this parent: a HEAD that moved meanwhile fails it.
  const parent = options.parent ?? (await runGit(worktree, ['rev-parse', '--verify', 'HEAD'])).trim();
  const commit = (await runGit(worktree, [...identity, 'commit-tree', tree, '-p', parent, '-m', message])).trim();
  const update = ['update-ref', '-m', `nx-agent-lanes: ${message.split('\n')[0]}`, 'HEAD', commit, parent];
  await runGit(worktree, update);
  return commit;
}
