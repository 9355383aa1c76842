import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkWorkspacePath } from '../ownership';

export interface EscapingSymlink {
  /** Repository-relative path of the symlink. */
  path: string;
  /** What it points at, as written. */
  target: string;
  /** Where it leads once every link on the way is followed, relative to the workspace when inside it. */
  resolved: string;
  why: 'outside-workspace' | 'protected' | 'loop';
}

/** Links followed on the way to one target; Linux stops at 40 as well. */
const MAX_HOPS = 40;

/**
 * The symlinks among `paths` (repository-relative, in a checkout at `checkoutRoot`) that lead
 * outside the workspace or into .git or node_modules, judged by following them in the checkout:
 * links that each look inside on paper (`d/up -> ../..`, `d/esc -> up/../../etc/passwd`) escape
 * together (issue 11). Ownership checks a link's own path, which the lane may own; once merged,
 * the link lets anything following it (a build, a test, an editor) read or write outside.
 */
export function findEscapingSymlinks(options: { checkoutRoot: string; workspaceInRepo: string; paths: readonly string[] }): EscapingSymlink[] {
  const root = fs.realpathSync(options.checkoutRoot);
  const workspace = path.join(root, options.workspaceInRepo);
  const found: EscapingSymlink[] = [];
  for (const link of options.paths) {
    const file = path.join(root, link);
    let target: string;
    try {
      if (!fs.lstatSync(file).isSymbolicLink()) continue;
      target = fs.readlinkSync(file);
    } catch {
      continue;
    }
    const resolved = resolveInCheckout(root, link);
    if (resolved === undefined) {
      found.push({ path: link, target, resolved: target, why: 'loop' });
      continue;
    }
    const relative = path.relative(workspace, resolved).split(path.sep).join('/');
    const why = path.isAbsolute(relative) ? 'outside-workspace' : checkWorkspacePath(relative);
    if (why) found.push({ path: link, target, resolved: why === 'outside-workspace' ? resolved : relative, why });
  }
  return found;
}

/**
 * The absolute path `relative` leads to from `root`, following every symlink on the way as the
 * kernel would, and going on lexically past a part that does not exist (a dangling link still
 * points somewhere). Undefined for a loop.
 */
export function resolveInCheckout(root: string, relative: string): string | undefined {
  const pending = relative.split('/');
  let current = root;
  let hops = 0;
  for (let part = pending.shift(); part !== undefined; part = pending.shift()) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, part);
    let isLink = false;
    try {
      isLink = fs.lstatSync(next).isSymbolicLink();
    } catch {
      // Missing, or beneath a file: the rest is only text.
    }
    if (!isLink) {
      current = next;
      continue;
    }
    if (++hops > MAX_HOPS) return undefined;
    const target = fs.readlinkSync(next);
    if (path.isAbsolute(target)) current = path.parse(target).root;
    pending.unshift(...target.split(/[\\/]/));
  }
  return current;
}

/** The sentence verify and integrate give for such links. */
export function describeEscapingSymlinks(lane: string, links: readonly EscapingSymlink[]): string {
  const where = (l: EscapingSymlink) =>
    l.why === 'loop' ? 'is a loop of links' : l.why === 'protected' ? `leads into ${l.resolved}` : `leads to ${l.resolved}, outside the workspace`;
  return `lane ${lane} adds symlinks that lead outside the workspace or into .git or node_modules: ${links.map((l) => `${l.path} -> ${l.target} (${where(l)})`).join(', ')}`;
}
