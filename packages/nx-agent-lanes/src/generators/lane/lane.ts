import { formatFiles, generateFiles, joinPathFragments, logger, OverwriteStrategy, type Tree } from '@nx/devkit';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { join, posix } from 'node:path';
import { LanesError, PlanError, type PlanProblem } from '../../errors';
import type { LaneConfigInput } from '../../feature/feature-types';
import { locateOffset } from '../../feature/locate-offset';
import { describeSuggestion } from '../../feature/suggest-name';
import { assertPlainName } from '../utils/assert-plain-name';
import { describeFeatures, findFeatures, type FeatureLocation } from '../utils/find-features';
import { readFeatureInTree } from '../utils/read-feature-in-tree';
import { addLaneEntry, findLaneOffset } from './add-lane-entry';
import type { LaneGeneratorSchema } from './schema';

export interface NormalizedLaneOptions {
  feature: string;
  name: string;
  owns: string[];
  forbids: string[];
  test: string;
  after: string[];
  /** Relative to the feature folder, posix. */
  spec: string;
  goal: string;
  risky: boolean;
  skipFormat: boolean;
}

/** `a,b` or `['a', 'b,c']` to `['a', 'b', 'c']`: Nx splits commas on the command line, prompts and callers do not. */
function splitList(value: string | string[] | undefined): string[] {
  const items = (Array.isArray(value) ? value : value === undefined ? [] : [value])
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return [...new Set(items)];
}

export function normalizeOptions(options: LaneGeneratorSchema): NormalizedLaneOptions {
  const feature = (options.feature ?? '').trim();
  const name = (options.name ?? '').trim();
  assertPlainName({ kind: 'feature', value: feature });
  assertPlainName({ kind: 'lane', value: name });
  const owns = splitList(options.owns);
  if (owns.length === 0) {
    throw new LanesError(`Lane "${name}" needs --owns: the files it may change (comma-separated, relative to the workspace root).`);
  }
  const test = (options.test ?? '').trim();
  if (test === '') {
    throw new LanesError(`Lane "${name}" needs --test: the command that must pass on its change alone.`);
  }
  const spec = posix.normalize((options.spec ?? '').trim() || `lanes/${name}.md`).replace(/^(\.\/)+/, '');
  const goal = options.goal?.trim();
  return {
    feature,
    name,
    owns,
    forbids: splitList(options.forbids),
    test,
    after: splitList(options.after),
    spec,
    goal: goal ? goal : `TODO: say what the ${name} lane delivers, in a sentence or two.`,
    risky: options.risky ?? false,
    skipFormat: options.skipFormat ?? false,
  };
}

/** The lane as it goes into feature.jsonc: optional keys only when they say something. */
export function buildLaneEntry(options: NormalizedLaneOptions): LaneConfigInput {
  return {
    spec: options.spec,
    owns: options.owns,
    ...(options.forbids.length > 0 ? { forbids: options.forbids } : {}),
    test: options.test,
    ...(options.after.length > 0 ? { after: options.after } : {}),
    ...(options.risky ? { risky: true } : {}),
  };
}

async function findFeatureByName(tree: Tree, name: string): Promise<FeatureLocation> {
  const features = await findFeatures(tree);
  const matches = features.filter((feature) => feature.name === name);
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new LanesError(
      `Several feature plans are named "${name}": ${describeFeatures(matches)}.\n` +
        `Give each a unique "name" in its feature.jsonc.`,
    );
  }
  throw new LanesError(
    `No feature named "${name}".${describeSuggestion(name, features.map((f) => f.name))} Known features: ${describeFeatures(features)}.\n` +
      `Create it with \`nx g nx-agent-lanes:feature ${name}\`.`,
  );
}

/** Syntax errors make `modify` unreliable, so they stop the generator before any edit. */
function findSyntaxProblems(file: string, text: string): PlanProblem[] {
  const errors: ParseError[] = [];
  parse(text, errors, { allowTrailingComma: true });
  return errors.map((error) => ({
    file,
    ...locateOffset(text, error.offset),
    message: `feature.jsonc is not valid JSON with comments (${printParseErrorCode(error.error)}); fix it before adding a lane.`,
  }));
}

function readContractPath(text: string): string {
  const parsed: unknown = parse(text, [], { allowTrailingComma: true });
  const contract = parsed !== null && typeof parsed === 'object' ? (parsed as { contract?: unknown }).contract : undefined;
  return typeof contract === 'string' ? contract : 'contract.md';
}

/**
 * Adds a lane to a feature plan and writes its spec, after checking the plan as it would be:
 * a lane that overlaps another lane's files, follows an unknown lane or already exists is
 * refused with the plan checker's own message, and nothing is written.
 */
export async function laneGenerator(tree: Tree, options: LaneGeneratorSchema): Promise<void> {
  const normalized = normalizeOptions(options);
  const feature = await findFeatureByName(tree, normalized.feature);
  const text = tree.read(feature.file, 'utf-8') ?? '';

  const syntaxProblems = findSyntaxProblems(feature.file, text);
  if (syntaxProblems.length > 0) throw new PlanError(syntaxProblems);

  // `modify` would silently replace an existing lane, so a duplicate is caught here.
  const existing = findLaneOffset({ text, lane: normalized.name });
  if (existing !== undefined) {
    throw new PlanError([
      {
        file: feature.file,
        ...locateOffset(text, existing),
        message: `Lane \`${normalized.name}\` already exists in ${normalized.feature}; choose another name, or edit the lane in place.`,
      },
    ]);
  }

  const specPath = joinPathFragments(feature.root, normalized.spec);
  const nextText = addLaneEntry({ text, lane: normalized.name, entry: buildLaneEntry(normalized) });
  // Problems the plan already had are the user's work in progress, not this lane's doing:
  // they are reported, and only problems the new lane brings are refused.
  const before = await readFeatureInTree({ tree, file: feature.file, text });
  const after = await readFeatureInTree({ tree, file: feature.file, text: nextText, plannedFiles: [specPath] });
  const known = new Set(before.problems.map((problem) => problem.message));
  const introduced = after.problems.filter((problem) => !known.has(problem.message));
  if (introduced.length > 0) throw new PlanError(introduced);
  if (after.problems.length > 0) {
    logger.warn(`${feature.file} still has problems to fix before it can run:\n${new PlanError(after.problems).message}`);
  }

  tree.write(feature.file, nextText);
  if (tree.exists(specPath)) {
    logger.info(`Kept the existing spec ${specPath}.`);
  } else {
    generateFiles(
      tree,
      join(__dirname, 'files'),
      posix.dirname(specPath),
      {
        specFile: posix.basename(specPath),
        lane: normalized.name,
        feature: normalized.feature,
        contract: readContractPath(text),
        goal: normalized.goal,
        owns: normalized.owns,
        forbids: normalized.forbids,
        after: normalized.after,
        test: normalized.test,
      },
      { overwriteStrategy: OverwriteStrategy.KeepExisting },
    );
  }
  if (!normalized.skipFormat) await formatFiles(tree);
}

export default laneGenerator;
