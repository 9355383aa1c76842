import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Proposal } from './decompose-types';

/** A proposal file bigger than this is not a plan; it is read as a problem, not into memory. */
export const MAX_PROPOSAL_FILE_BYTES = 1024 * 1024;
const MAX_PROPOSAL_FILES = 200;

/**
 * The files a command wrote into its output folder, by posix path relative to it. Every file is
 * read (checkProposal names the ones that are not part of a plan); a file too big, or too many
 * files, are reported in `oversized` instead of being read.
 */
export function readProposalFolder(folder: string): { proposal: Proposal; oversized: string[] } {
  const files: Record<string, string> = {};
  const oversized: string[] = [];
  if (!existsSync(folder)) return { proposal: { files }, oversized };
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        const key = relative(folder, path).split('\\').join('/');
        if (Object.keys(files).length >= MAX_PROPOSAL_FILES || statSync(path).size > MAX_PROPOSAL_FILE_BYTES) oversized.push(key);
        else files[key] = readFileSync(path, 'utf8');
      }
    }
  };
  walk(folder);
  return { proposal: { files }, oversized };
}
