import type { Tree } from '@nx/devkit';
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { posix } from 'node:path';
import type { PlanProblem } from '../errors';
import { describeFeatureOwnership, findFeatureOverlaps, type FeatureOwnership } from '../feature/find-feature-overlaps';
import { locateOffset } from '../feature/locate-offset';
import type { ReadFeatureResult } from '../feature/read-feature';
import { findFeatures } from '../generators/utils/find-features';
import { readFeatureInTree } from '../generators/utils/read-feature-in-tree';
import type { Proposal } from './decompose-types';

export interface CheckProposalOptions {
  tree: Tree;
  /** The feature's name: the plan may not name itself otherwise. */
  feature: string;
  /** Workspace-relative folder the plan goes into. */
  directory: string;
  proposal: Proposal;
  /** Lanes the person asked for. */
  lanes?: number;
}

/** `lanes/<lane>.md`, `feature.jsonc` or `contract.md`: the only files a proposal may hold. */
const PROPOSAL_FILE = /^(feature\.jsonc|contract\.md|lanes\/[a-z0-9][a-z0-9._-]*\.md)$/i;

/**
 * Every problem of a proposed plan, located in its files: the plugin's own validation of
 * feature.jsonc against the workspace (ownership disjoint, tests, specs, paths), ownership
 * shared with another feature's plan, the feature's name, the number of lanes asked for, and
 * files that are not part of a plan.
 */
export async function checkProposal(options: CheckProposalOptions): Promise<PlanProblem[]> {
  const { tree, directory, proposal } = options;
  const at = (path: string) => `${directory}/${path}`;
  const problems: PlanProblem[] = [];
  const files = Object.keys(proposal.files);
  for (const path of files) {
    if (!PROPOSAL_FILE.test(path)) {
      problems.push({ file: at(path), line: 1, column: 1, message: `\`${path}\` is not part of a plan: propose only feature.jsonc, contract.md and lanes/<lane>.md.` });
    }
  }
  const text = proposal.files['feature.jsonc'];
  if (text === undefined) {
    problems.push({ file: at('feature.jsonc'), line: 1, column: 1, message: 'The proposal has no feature.jsonc: the plan itself is missing.' });
    return problems;
  }
  const contract = proposal.files['contract.md'];
  if (contract !== undefined && contract.trim() === '') {
    problems.push({ file: at('contract.md'), line: 1, column: 1, message: 'contract.md is empty: name every seam between two lanes (signatures, formats, errors, routes, content types).' });
  }
  const file = at('feature.jsonc');
  const result = await readFeatureInTree({ tree, file, text, plannedFiles: files.filter((p) => PROPOSAL_FILE.test(p)).map(at) });
  problems.push(...result.problems);
  if (result.feature) {
    problems.push(...checkName(file, text, result.feature.name, options.feature));
    if (options.lanes !== undefined && result.feature.lanes.length !== options.lanes) {
      problems.push({ ...locateKey(file, text, ['lanes']), message: `The plan has ${result.feature.lanes.length} lanes; ${options.lanes} were asked for (--lanes).` });
    }
    problems.push(...(await findOverlapsWithOtherFeatures(tree, result, directory)));
  }
  return problems;
}

function locateKey(file: string, text: string, path: string[]): Omit<PlanProblem, 'message'> {
  const node = findNodeAtLocation(parseTree(text) ?? { type: 'null', offset: 0, length: 0 }, path);
  const { line, column } = locateOffset(text, node?.parent?.offset ?? node?.offset ?? 0);
  return { file, line, column };
}

function checkName(file: string, text: string, read: string, wanted: string): PlanProblem[] {
  if (read === wanted) return [];
  return [{ ...locateKey(file, text, ['name']), message: `The plan names itself "${read}", but this is feature "${wanted}": leave out "name" or write "${wanted}".` }];
}

/** Ownership this plan shares with another feature's plan in the workspace (as project-graph creation would refuse). */
async function findOverlapsWithOtherFeatures(tree: Tree, result: ReadFeatureResult, directory: string): Promise<PlanProblem[]> {
  if (!result.feature || !result.owned) return [];
  const others: FeatureOwnership[] = [];
  for (const location of await findFeatures(tree)) {
    if (posix.dirname(location.file) === directory) continue;
    const other = await readFeatureInTree({ tree, file: location.file, text: tree.read(location.file, 'utf-8') ?? '' });
    others.push(...describeFeatureOwnership(other));
  }
  if (others.length === 0) return [];
  return findFeatureOverlaps([...describeFeatureOwnership(result), ...others]).filter((p) => p.file === result.feature?.file);
}
