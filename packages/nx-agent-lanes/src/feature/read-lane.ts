import type { Node } from 'jsonc-parser';
import { type FileStatus, checkPlanFile } from './check-plan-file';
import { checkWorkspacePath, normalizePattern, validatePattern } from '../ownership';
import { LANE_KEYS } from './feature-keys';
import type { OutputLimitsInput, SandboxConfigInput } from './feature-types';
import { type AgentConfigRead, readAgentConfig } from './read-agent-config';
import { readLimits } from './read-limits';
import { readSandbox } from './read-sandbox';
import { type PlanContext, nameField, readBoolean, readObject, readString, readStrings, reportProblem, valueOf } from './plan-context';

/** Lane names become Nx target names (`lane--<name>`) and folder names, hence the plain form. */
export const LANE_NAME_PATTERN = /^[a-z][a-z0-9-]*$/i;

/**
 * Names a lane may not take: `integration` is the folder of the integration artifacts
 * (`dist/agent-lanes/<feature>/integration/`), next to the lanes' own folders.
 */
export const RESERVED_LANE_NAMES: readonly string[] = ['integration'];

/** A string entry of the plan with the node that problems about it point at. */
export interface PlanEntry {
  value: string;
  node: Node;
}

/** One lane as read, before the checks that need all lanes. */
export interface LaneRead {
  name: string;
  /** The lane's key in `lanes`. */
  property: Node;
  /** Workspace-relative, when the spec exists. */
  specPath?: string;
  /** Normalised patterns (no `./`, no trailing `/`); only entries that passed their own checks. */
  owns: PlanEntry[];
  forbids: PlanEntry[];
  test?: string;
  after: PlanEntry[];
  agent?: AgentConfigRead;
  risky: boolean;
  limits?: OutputLimitsInput;
  sandbox?: SandboxConfigInput;
}

export interface ReadLaneOptions {
  /** The feature folder, workspace-relative: `spec` is relative to it. */
  root: string;
  fileStatus: (workspacePath: string) => FileStatus;
}

/** Reads one property of `lanes`, reporting every problem that concerns this lane alone. */
export function readLane(ctx: PlanContext, property: Node, options: ReadLaneOptions): LaneRead {
  const name = String(property.children?.[0]?.value ?? '');
  const where = `lanes.${name}`;
  checkLaneName(ctx, property, name);
  const lane: LaneRead = { name, property, owns: [], forbids: [], after: [], risky: false };
  const node = valueOf(property);
  const fields = node && readObject(ctx, node, { where, known: LANE_KEYS, property });
  if (!fields) return lane;

  const spec = readString(ctx, fields, 'spec', {
    required: `add the lane's goal and acceptance criteria as markdown, e.g. \`"spec": "lanes/${name}.md"\` (relative to the feature folder).`,
  });
  const specNode = valueOf(fields.props.get('spec'));
  if (spec !== undefined && specNode) {
    lane.specPath = checkPlanFile(ctx, {
      node: specNode,
      value: spec,
      root: options.root,
      field: nameField(where, 'spec'),
      what: `spec of lane \`${name}\``,
      fileStatus: options.fileStatus,
    });
  }

  const owns = readStrings(ctx, fields, 'owns', {
    required: `list the files or globs lane \`${name}\` may change, relative to the workspace root, e.g. \`"owns": ["apps/api/src/routes/export.ts"]\`.`,
  });
  if (owns?.length === 0) {
    reportProblem(ctx, valueOf(fields.props.get('owns')), `\`${where}.owns\` is empty: list the files or globs lane \`${name}\` may change, relative to the workspace root.`);
  }
  lane.owns = checkPatterns(ctx, owns ?? [], { field: `${where}.owns`, laneName: name, refuseProtected: true });
  lane.forbids = checkPatterns(ctx, readStrings(ctx, fields, 'forbids') ?? [], { field: `${where}.forbids`, laneName: name, refuseProtected: false });

  lane.test = readString(ctx, fields, 'test', {
    required: `lane \`${name}\` has no test command. Every lane needs one, because verify runs it on the lane's change alone; add e.g. \`"test": "npx jest path/to/${name}.spec.ts"\`.`,
  });
  lane.after = readStrings(ctx, fields, 'after') ?? [];
  lane.agent = readAgentConfig(ctx, fields.props.get('agent'), `${where}.agent`);
  lane.risky = readBoolean(ctx, fields, 'risky') ?? false;
  lane.limits = readLimits(ctx, fields.props.get('limits'), `${where}.limits`);
  lane.sandbox = readSandbox(ctx, fields.props.get('sandbox'), `${where}.sandbox`);
  return lane;
}

function checkLaneName(ctx: PlanContext, property: Node, name: string): void {
  if (!LANE_NAME_PATTERN.test(name)) {
    const cleaned = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
    const plain = cleaned === '' || /^[a-z]/.test(cleaned) ? cleaned : `lane-${cleaned}`;
    reportProblem(
      ctx,
      property,
      `Lane name \`${name}\` is not a plain name: use letters, digits and \`-\`, starting with a letter` +
        `${plain ? ` (e.g. \`${plain}\`)` : ''}. It becomes the Nx target names \`lane--${name}\` and \`verify--${name}\`, ` +
        'where a colon is read as a configuration and spaces or slashes break `nx run`.',
    );
  } else if (RESERVED_LANE_NAMES.includes(name.toLowerCase())) {
    reportProblem(ctx, property, `Lane name \`${name}\` is reserved: \`dist/agent-lanes/<feature>/${name}/\` holds the integration artifacts. Choose another name.`);
  }
}

interface CheckPatternsOptions {
  field: string;
  laneName: string;
  /** `owns` may not name .git or node_modules; `forbids` may, harmlessly. */
  refuseProtected: boolean;
}

/** Keeps the patterns that are workspace-relative (and not protected, for `owns`), normalised. */
function checkPatterns(ctx: PlanContext, entries: PlanEntry[], options: CheckPatternsOptions): PlanEntry[] {
  const kept: PlanEntry[] = [];
  for (const entry of entries) {
    const { value, node } = entry;
    const normalized = normalizePattern(value);
    if (value.startsWith('!')) {
      reportProblem(ctx, node, `\`${options.field}\` entries cannot be negated (\`${value}\`); to keep lane \`${options.laneName}\` out of files, list them in \`forbids\`.`);
      continue;
    }
    if (normalized === '' || normalized === '.') {
      reportProblem(ctx, node, `\`${value}\` in \`${options.field}\` names the whole workspace; list folders or globs (\`**\` if every file is really meant).`);
      continue;
    }
    const invalid = validatePattern(value);
    if (invalid) {
      reportProblem(ctx, node, `${invalid} Close it in \`${options.field}\`, or name the folder that holds the file.`);
      continue;
    }
    const reason = checkWorkspacePath(normalized);
    if (reason === 'outside-workspace') {
      reportProblem(
        ctx,
        node,
        `\`${value}\` in \`${options.field}\` is outside the workspace: paths are relative to the workspace root, ` +
          'with forward slashes, no `..`, not absolute and no drive letter.',
      );
      continue;
    }
    if (reason === 'protected' && options.refuseProtected) {
      reportProblem(ctx, node, `Lane \`${options.laneName}\` may not own \`${value}\`: nothing under .git or node_modules is ever a lane's to change.`);
      continue;
    }
    kept.push({ value: normalized, node });
  }
  return kept;
}
