import { type Node, type ParseError, parseTree, printParseErrorCode } from 'jsonc-parser';
import { posix } from 'node:path';
import { PlanError, type PlanProblem } from '../errors';
import { checkOwnedPaths } from './check-owned-paths';
import { type FileStatus, checkPlanFile } from './check-plan-file';
import { resolveAgentConfig } from './default-agent';
import { FEATURE_KEYS, INTEGRATION_KEYS, REVIEW_KEYS } from './feature-keys';
import type { Feature, Lane } from './feature-types';
import type { OwnedEntry } from './find-feature-overlaps';
import { locateOffset } from './locate-offset';
import { normalizePattern, validatePattern } from '../ownership';
import { type Fields, type PlanContext, createPlanContext, readObject, readPositiveNumber, readString, readStrings, reportProblem, valueOf } from './plan-context';
import { planLanes } from './plan-lanes';
import { readAgentConfig } from './read-agent-config';
import { readLimits, resolveLimits } from './read-limits';
import { type LaneRead, readLane } from './read-lane';
import { readSandbox, resolveSandbox } from './read-sandbox';
import { validateAgents } from './validate-agents';
import { validateLanes } from './validate-lanes';

export type { FileStatus } from './check-plan-file';

export interface ReadFeatureInput {
  /** Workspace-relative posix path of feature.jsonc, e.g. `features/export-feature/feature.jsonc`. */
  file: string;
  /** Its content. */
  text: string;
  /** Probe for the contract and spec files (workspace-relative posix paths). */
  fileStatus: (workspacePath: string) => FileStatus;
  /**
   * Workspace files (relative posix); a file matching two lanes' globs proves they overlap. As a
   * function, it is called only when two lanes' globs could share a file.
   */
  repoFiles?: readonly string[] | (() => readonly string[]);
  /**
   * Names of the folders directly inside a workspace folder (`` for the root). With it, an
   * owned path in a missing folder that is a near miss of an existing one is refused.
   */
  listFolders?: (workspacePath: string) => readonly string[];
}

export interface ReadFeatureResult {
  /** Only when `problems` is empty. */
  feature?: Feature;
  /** Every problem of the plan, in file order. */
  problems: PlanProblem[];
  /** With `feature`: where each lane's `owns` entry is written, for the checks across features. */
  owned?: OwnedEntry[];
}

/** The feature name names the Nx project, the branch `lanes/<name>` and `dist/agent-lanes/<name>/`. */
export const FEATURE_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/i;

/** Reads, normalises and validates feature.jsonc. Never throws: user mistakes come back as problems. */
export function readFeature(input: ReadFeatureInput): ReadFeatureResult {
  const file = input.file.replace(/\\/g, '/');
  const ctx = createPlanContext({ file, text: input.text });
  const owned: OwnedEntry[] = [];
  const feature = readFeatureText(ctx, { ...input, file, fileStatus: guardProbe(input.fileStatus) }, owned);
  // Problems are found check by check; a person reads them top to bottom.
  const problems = ctx.problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.line - b.p.line || a.p.column - b.p.column || a.i - b.i)
    .map(({ p }) => p);
  return problems.length === 0 && feature ? { feature, problems, owned } : { problems };
}

/** readFeature for callers that cannot go on without the feature: throws PlanError with every problem. */
export function readFeatureOrThrow(input: ReadFeatureInput): Feature {
  const { feature, problems } = readFeature(input);
  if (!feature) throw new PlanError(problems);
  return feature;
}

function readFeatureText(ctx: PlanContext, input: ReadFeatureInput, owned: OwnedEntry[]): Feature | undefined {
  const errors: ParseError[] = [];
  const tree = parseTree(input.text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    // Past a syntax error the tree is a guess; checking it would report phantom problems.
    for (const error of errors) reportSyntaxError(ctx, error);
    return undefined;
  }
  if (!tree) {
    reportProblem(ctx, undefined, 'The file is empty: it must hold one object `{ "goal": ..., "contract": ..., "lanes": { } }`.');
    return undefined;
  }
  const fields = readObject(ctx, tree, { where: '', known: FEATURE_KEYS });
  if (!fields) return undefined;

  const root = posix.dirname(input.file);
  readString(ctx, fields, '$schema');
  const name = readFeatureName(ctx, fields, root);
  const goal = readString(ctx, fields, 'goal', {
    required: 'add one sentence saying what the feature delivers; every lane\'s agent reads it first.',
  });
  const contractPath = readContract(ctx, fields, root, input.fileStatus);
  const base = readString(ctx, fields, 'base');
  const setup = readString(ctx, fields, 'setup');
  const featureBudgetUsd = readPositiveNumber(ctx, fields, 'featureBudgetUsd');
  const agent = readAgentConfig(ctx, fields.props.get('agent'), 'agent');
  const lanes = readLanes(ctx, fields, { root, fileStatus: input.fileStatus });
  const integrationTest = readSection(ctx, fields, 'integration', INTEGRATION_KEYS, (f) => readString(ctx, f, 'test'));
  const risky = readSection(ctx, fields, 'review', REVIEW_KEYS, (f) => readStrings(ctx, f, 'risky'));
  for (const entry of risky ?? []) {
    const invalid = validatePattern(entry.value);
    if (invalid) reportProblem(ctx, entry.node, `${invalid} Close it in \`review.risky\`, or name the folder that holds the file.`);
  }
  const secrets = readSecrets(ctx, fields);
  const limits = readLimits(ctx, fields.props.get('limits'), 'limits');
  const sandbox = readSandbox(ctx, fields.props.get('sandbox'), 'sandbox');

  validateLanes(ctx, lanes, { repoFiles: input.repoFiles });
  if (input.listFolders) checkOwnedPaths(ctx, lanes, { fileStatus: input.fileStatus, listFolders: guardListing(input.listFolders) });
  const agents = validateAgents(ctx, lanes, agent);
  if (ctx.problems.length > 0 || name === undefined || goal === undefined || contractPath === undefined) return undefined;

  for (const lane of lanes) {
    for (const { value, node } of lane.owns) owned.push({ lane: lane.name, pattern: value, ...locateOffset(ctx.text, node.offset) });
  }
  const normalized: Lane[] = lanes.map((lane) => ({
    name: lane.name,
    specPath: lane.specPath ?? '',
    owns: lane.owns.map((o) => o.value),
    forbids: lane.forbids.map((f) => f.value),
    test: lane.test ?? '',
    after: lane.after.map((a) => a.value),
    agent: agents.get(lane.name) ?? resolveAgentConfig({ feature: agent?.config }),
    risky: lane.risky,
    limits: resolveLimits({ feature: limits, lane: lane.limits }),
    sandbox: resolveSandbox({ feature: sandbox, lane: lane.sandbox }),
  }));
  return {
    name,
    root,
    file: input.file,
    goal,
    contractPath,
    ...(base === undefined ? {} : { base }),
    agent: resolveAgentConfig({ feature: agent?.config }),
    ...(setup === undefined ? {} : { setup }),
    ...(featureBudgetUsd === undefined ? {} : { featureBudgetUsd }),
    lanes: planLanes(normalized),
    integration: integrationTest === undefined ? {} : { test: integrationTest },
    review: { risky: (risky ?? []).map((r) => normalizePattern(r.value)) },
    secrets: secrets.map((s) => s.value),
    limits: resolveLimits({ feature: limits }),
    sandbox: resolveSandbox({ feature: sandbox }),
  };
}

const SYNTAX_HELP: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a key in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected `:` after the key',
  CommaExpected: 'expected `,` between entries',
  CloseBraceExpected: 'expected `}` to close the object',
  CloseBracketExpected: 'expected `]` to close the array',
  EndOfFileExpected: 'unexpected content after the end of the object',
  InvalidCommentToken: 'invalid comment',
  UnexpectedEndOfComment: 'a `/*` comment is not closed',
  UnexpectedEndOfString: 'a string is not closed with `"`',
  UnexpectedEndOfNumber: 'a number ends too early',
  InvalidUnicode: 'invalid `\\u` escape',
  InvalidEscapeCharacter: 'invalid escape; write a backslash as `\\\\`',
  InvalidCharacter: 'a control character inside a string; write a line break as `\\n`',
};

function reportSyntaxError(ctx: PlanContext, error: ParseError): void {
  const code = printParseErrorCode(error.error);
  const { line, column } = locateOffset(ctx.text, error.offset);
  ctx.problems.push({
    file: ctx.file,
    line,
    column,
    message: `JSON syntax error: ${SYNTAX_HELP[code] ?? code}. Comments and trailing commas are allowed; fix the text here.`,
  });
}

function readFeatureName(ctx: PlanContext, fields: Fields, root: string): string | undefined {
  const written = readString(ctx, fields, 'name');
  const name = written ?? posix.basename(root);
  const nameNode = valueOf(fields.props.get('name'));
  if (fields.props.has('name') && written === undefined) return undefined;
  if (!FEATURE_NAME_PATTERN.test(name) || name.includes('..') || name.endsWith('.lock') || name.endsWith('.')) {
    const source = written === undefined ? `The folder name \`${name || root}\`` : `Feature name \`${name}\``;
    reportProblem(
      ctx,
      nameNode,
      `${source} cannot name the feature: it becomes the Nx project, the branch \`lanes/<name>\` and \`dist/agent-lanes/<name>/\`, ` +
        `so use letters, digits, \`.\`, \`_\` and \`-\`${written === undefined ? ', or set `"name"`' : ''}.`,
    );
    return undefined;
  }
  return name;
}

function readContract(ctx: PlanContext, fields: Fields, root: string, fileStatus: ReadFeatureInput['fileStatus']): string | undefined {
  const value = readString(ctx, fields, 'contract', {
    required: 'add the interface contract every lane builds against, e.g. `"contract": "contract.md"` (relative to the feature folder).',
  });
  const node = valueOf(fields.props.get('contract'));
  if (value === undefined || !node) return undefined;
  return checkPlanFile(ctx, { node, value, root, field: 'contract', what: 'contract', fileStatus });
}

function readLanes(ctx: PlanContext, fields: Fields, options: Parameters<typeof readLane>[2]): LaneRead[] {
  const property = fields.props.get('lanes');
  const node = valueOf(property);
  if (!property || !node) {
    reportProblem(ctx, fields.anchor, 'Missing `lanes`: add `"lanes": { }` and one lane per part of the work (`nx g nx-agent-lanes:lane`).');
    return [];
  }
  const lanes = readObject(ctx, node, { where: 'lanes', known: [], property, openKeys: true });
  return lanes ? [...lanes.props.values()].map((lane) => readLane(ctx, lane, options)) : [];
}

function readSection<T>(ctx: PlanContext, fields: Fields, key: string, known: readonly string[], read: (f: Fields) => T): T | undefined {
  const property = fields.props.get(key);
  const node = valueOf(property);
  if (!property || !node) return undefined;
  const section = readObject(ctx, node, { where: key, known, property });
  return section ? read(section) : undefined;
}

function readSecrets(ctx: PlanContext, fields: Fields): { value: string; node: Node }[] {
  const secrets = readStrings(ctx, fields, 'secrets') ?? [];
  for (const { value, node } of secrets) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
      reportProblem(ctx, node, `\`${value}\` in \`secrets\` is not an environment variable name; list the names (e.g. \`ANTHROPIC_API_KEY\`), never the values.`);
    }
  }
  return secrets;
}

/** A probe that throws is a file we cannot read, not a crash of readFeature. */
function guardProbe(probe: ReadFeatureInput['fileStatus']): ReadFeatureInput['fileStatus'] {
  return (path) => {
    try {
      return probe(path);
    } catch {
      return 'unreadable';
    }
  };
}

function guardListing(list: NonNullable<ReadFeatureInput['listFolders']>): NonNullable<ReadFeatureInput['listFolders']> {
  return (path) => {
    try {
      return list(path);
    } catch {
      return [];
    }
  };
}
