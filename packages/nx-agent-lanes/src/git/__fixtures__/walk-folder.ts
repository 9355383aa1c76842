/** Test support: every entry under a folder (type, mode, content or link target), for comparing two checkouts byte for byte. */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One line per entry, sorted; `skip` names top-level entries to leave out (a worktree's own `.git` file names its folder). */
export function walkFolder(root: string, skip: string[] = []): string[] {
  const lines: string[] = [];
  const visit = (relative: string) => {
    for (const name of fs.readdirSync(path.join(root, relative)).sort()) {
      const rel = relative ? `${relative}/${name}` : name;
      if (!relative && skip.includes(name)) continue;
      const full = path.join(root, rel);
      const stat = fs.lstatSync(full);
      const mode = (stat.mode & 0o777).toString(8);
      if (stat.isSymbolicLink()) lines.push(`link ${rel} -> ${fs.readlinkSync(full)}`);
      else if (stat.isDirectory()) {
        lines.push(`dir ${rel} ${mode}`);
        visit(rel);
      } else lines.push(`file ${rel} ${mode} ${createHash('sha1').update(fs.readFileSync(full)).digest('hex')}`);
    }
  };
  visit('');
  return lines;
}
