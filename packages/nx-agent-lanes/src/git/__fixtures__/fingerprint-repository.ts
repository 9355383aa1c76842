/**
 * Test support: everything of a repository a lane must leave as it found it, as one text to
 * compare: every ref (the plugin's scratch branches must be gone too), HEAD, config, hooks and
 * info/ byte for byte, and the user's checkout (index, status, stash).
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprintCheckout } from '../../__fixtures__/lane-fixture';
import type { TestRepo } from '../create-test-repo';

export function fingerprintRepository(repo: TestRepo): string {
  const gitDir = join(repo.root, '.git');
  const files: string[] = [];
  const walk = (relative: string) => {
    const absolute = join(gitDir, relative);
    if (!existsSync(absolute)) return;
    const stat = lstatSync(absolute);
    if (stat.isDirectory()) for (const name of readdirSync(absolute).sort()) walk(`${relative}/${name}`);
    else if (stat.isSymbolicLink()) files.push(`${relative} -> ${readlinkSync(absolute)}`);
    else files.push(`${relative} ${(stat.mode & 0o777).toString(8)} ${createHash('sha256').update(readFileSync(absolute)).digest('hex')}`);
  };
  for (const part of ['HEAD', 'config', 'config.worktree', 'hooks', 'info', 'objects/info/alternates']) walk(part);
  const refs = repo.git(['for-each-ref', '--format=%(objectname) %(refname)']);
  return [files.join('\n'), refs, fingerprintCheckout(repo)].join('\n--\n');
}
