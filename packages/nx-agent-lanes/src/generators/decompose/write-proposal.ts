import { offsetFromRoot, type Tree } from '@nx/devkit';
import { applyEdits, modify } from 'jsonc-parser';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { formatProblem, type PlanProblem } from '../../errors';
import type { Proposal } from '../../decompose/decompose-types';

/** Where users find the JSON schema once the plugin is installed. */
const SCHEMA_IN_PACKAGE = 'node_modules/nx-agent-lanes/feature.schema.json';

/** The accepted plan, through the Tree: feature.jsonc with the schema path of its folder and a header saying where it came from. */
export function writeProposal(tree: Tree, directory: string, proposal: Proposal, header: string[]): string[] {
  const written: string[] = [];
  for (const [path, text] of Object.entries(proposal.files)) {
    let content = text;
    if (path === 'feature.jsonc') {
      const schema = `${offsetFromRoot(directory)}${SCHEMA_IN_PACKAGE}`;
      content = applyEdits(content, modify(content, ['$schema'], schema, { formattingOptions: { insertSpaces: true, tabSize: 2 }, getInsertionIndex: () => 0 }));
      content = `${header.map((line) => `// ${line}`).join('\n')}\n${content}`;
    }
    const file = `${directory}/${path}`;
    tree.write(file, content.endsWith('\n') ? content : `${content}\n`);
    written.push(file);
  }
  return written.sort();
}

/**
 * A proposal the validator did not accept, kept outside the workspace for the person to read or
 * fix by hand: its files, the problems and the prompt. Returns the folder.
 */
export function keepRejectedProposal(o: { feature: string; proposal?: Proposal; problems: readonly PlanProblem[]; prompt: string; reason: string }): string {
  const folder = join(tmpdir(), 'nx-agent-lanes', 'decompose', `${o.feature}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(folder, { recursive: true });
  for (const [path, text] of Object.entries(o.proposal?.files ?? {})) {
    const file = join(folder, 'proposal', ...path.split('/').filter((s) => s && s !== '..'));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  writeFileSync(join(folder, 'problems.txt'), `${o.reason}\n${o.problems.map((p) => formatProblem(p)).join('\n')}\n`);
  writeFileSync(join(folder, 'prompt.md'), o.prompt);
  return folder;
}
