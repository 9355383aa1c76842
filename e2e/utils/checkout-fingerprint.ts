import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, lstatSync } from 'node:fs';
import { join } from 'node:path';

/** Folders of a workspace that are the tools' own, not the user's work. */
const TOOL_FOLDERS = new Set(['.git', 'dist', '.nx', 'node_modules']);

/**
 * A hash of everything the user owns in a checkout: HEAD, the branch, the index, the diff, the
 * status (untracked files included) and the bytes of every working-tree file outside
 * dist/.nx/node_modules. Equal fingerprints mean the run touched none of the user's work.
 */
export function fingerprintCheckout(root: string): string {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      // symbolic-ref fails on a detached HEAD, rev-parse in a repository without commits: that is state too.
      return `! ${(error as { status?: number }).status}`;
    }
  };
  const hash = createHash('sha256');
  for (const args of [
    ['rev-parse', 'HEAD'],
    ['symbolic-ref', 'HEAD'],
    ['ls-files', '-s'],
    ['diff'],
    ['status', '--porcelain', '-uall'],
  ]) {
    hash.update(`${args.join(' ')}\0${git(args)}\0`);
  }
  for (const file of listUserFiles(root)) {
    const full = join(root, file);
    const stat = lstatSync(full);
    hash.update(`${file}\0${stat.mode}\0`);
    hash.update(stat.isSymbolicLink() ? readlinkSync(full) : readFileSync(full));
  }
  return hash.digest('hex');
}

function listUserFiles(root: string, dir = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (!dir && TOOL_FOLDERS.has(entry.name)) continue;
    if (entry.isDirectory()) out.push(...listUserFiles(root, rel));
    else out.push(rel);
  }
  return out;
}
