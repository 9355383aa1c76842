import type { Node } from 'jsonc-parser';
import type { PlanProblem } from '../errors';
import { locateOffset } from './locate-offset';
import { describeSuggestion } from './suggest-name';

/**
 * What the readers of feature.jsonc share: the text (to turn offsets into line:column) and
 * the list of problems found so far. Readers report and carry on, so a user sees every
 * problem of the file at once instead of one per run.
 */
export interface PlanContext {
  file: string;
  text: string;
  problems: PlanProblem[];
}

/** An object of feature.jsonc that was read: its property nodes by key, and where to point at it. */
export interface Fields {
  /** Dotted name of the object (`lanes.backend.agent`), '' for the top level. */
  where: string;
  /** Where to point for a key that is missing: the object's own key, else its `{`. */
  anchor: Node;
  props: Map<string, Node>;
}

export function createPlanContext({ file, text }: { file: string; text: string }): PlanContext {
  return { file, text, problems: [] };
}

/** Records a problem at `node` (a property points at its key), or at the file's start. */
export function reportProblem(ctx: PlanContext, node: Node | undefined, message: string): void {
  const at = node?.type === 'property' && node.children?.[0] ? node.children[0] : node;
  const { line, column } = locateOffset(ctx.text, at?.offset ?? 0);
  ctx.problems.push({ file: ctx.file, line, column, message });
}

/** The value node of a property node. */
export function valueOf(property: Node | undefined): Node | undefined {
  return property?.children?.[1];
}

/** `where.key`, the name a message uses for a field. */
export function nameField(where: string, key: string): string {
  return where ? `${where}.${key}` : key;
}

export function describeType(node: Node): string {
  switch (node.type) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return '`' + String(node.value) + '`';
    case 'null':
      return '`null`';
    case 'array':
      return 'an array';
    default:
      return 'an object';
  }
}

export interface ReadObjectOptions {
  where: string;
  /** The keys this object may hold; any other is reported, with a "did you mean". */
  known: readonly string[];
  /** The property node holding this object, when it is not the top level. */
  property?: Node;
  /** Skip the unknown-key check (maps keyed by user names: lanes, prices). */
  openKeys?: boolean;
}

/** Reads an object node into its fields, reporting a wrong type, unknown keys and duplicate keys. */
export function readObject(ctx: PlanContext, node: Node, options: ReadObjectOptions): Fields | undefined {
  const label = options.where ? `\`${options.where}\`` : 'The feature';
  if (node.type !== 'object') {
    reportProblem(ctx, node, `${label} must be an object \`{ ... }\`, not ${describeType(node)}.`);
    return undefined;
  }
  const props = new Map<string, Node>();
  for (const property of node.children ?? []) {
    const key = String(property.children?.[0]?.value ?? '');
    if (props.has(key)) {
      reportProblem(ctx, property, `Key \`${nameField(options.where, key)}\` appears twice; JSON keeps only the last one, so remove one of them.`);
    }
    props.set(key, property);
    if (!options.openKeys && !options.known.includes(key)) {
      reportProblem(
        ctx,
        property,
        `Unknown key \`${key}\` in ${options.where ? `\`${options.where}\`` : 'the feature'}.` +
          `${describeSuggestion(key, options.known)} Known keys: ${options.known.join(', ')}.`,
      );
    }
  }
  return { where: options.where, anchor: options.property ?? node, props };
}

export interface ReadFieldOptions {
  /** When set, the field is required and this says what to add (ends the "missing" and "empty" messages). */
  required?: string;
}

/** A non-empty string field, or undefined (reported when it is required, mistyped or blank). */
export function readString(ctx: PlanContext, fields: Fields, key: string, options: ReadFieldOptions = {}): string | undefined {
  const node = readPresent(ctx, fields, key, options);
  if (!node) return undefined;
  if (node.type !== 'string') {
    reportProblem(ctx, node, `\`${nameField(fields.where, key)}\` must be a string, not ${describeType(node)}.`);
    return undefined;
  }
  if (String(node.value).trim() === '') {
    reportProblem(ctx, node, `\`${nameField(fields.where, key)}\` is empty: ${options.required ?? 'remove it or fill it in.'}`);
    return undefined;
  }
  return String(node.value);
}

/** Entries of an array of non-empty strings, each with its node; bad entries are reported and dropped. */
export function readStrings(
  ctx: PlanContext,
  fields: Fields,
  key: string,
  options: ReadFieldOptions = {},
): { value: string; node: Node }[] | undefined {
  const node = readPresent(ctx, fields, key, options);
  if (!node) return undefined;
  const name = nameField(fields.where, key);
  if (node.type !== 'array') {
    reportProblem(ctx, node, `\`${name}\` must be an array of strings, not ${describeType(node)}.`);
    return undefined;
  }
  const entries: { value: string; node: Node }[] = [];
  for (const item of node.children ?? []) {
    if (item.type !== 'string') {
      reportProblem(ctx, item, `Each entry of \`${name}\` must be a string, not ${describeType(item)}.`);
    } else if (String(item.value).trim() === '') {
      reportProblem(ctx, item, `\`${name}\` has an empty entry; remove it.`);
    } else {
      entries.push({ value: String(item.value), node: item });
    }
  }
  return entries;
}

/** A positive number field (a whole one with `integer`), or undefined. */
export function readPositiveNumber(
  ctx: PlanContext,
  fields: Fields,
  key: string,
  options: ReadFieldOptions & { integer?: boolean; allowZero?: boolean } = {},
): number | undefined {
  const node = readPresent(ctx, fields, key, options);
  if (!node) return undefined;
  const name = nameField(fields.where, key);
  const kind = `${options.allowZero ? 'a non-negative' : 'a positive'} ${options.integer ? 'whole number' : 'number'}`;
  if (node.type !== 'number') {
    reportProblem(ctx, node, `\`${name}\` must be ${kind}, not ${describeType(node)}.`);
    return undefined;
  }
  const value = Number(node.value);
  const bad = (options.integer && !Number.isInteger(value)) || value < 0 || (value === 0 && !options.allowZero);
  if (bad || !Number.isFinite(value)) {
    reportProblem(ctx, node, `\`${name}\` must be ${kind}, not ${value}.`);
    return undefined;
  }
  return value;
}

export function readBoolean(ctx: PlanContext, fields: Fields, key: string): boolean | undefined {
  const node = readPresent(ctx, fields, key, {});
  if (!node) return undefined;
  if (node.type !== 'boolean') {
    reportProblem(ctx, node, `\`${nameField(fields.where, key)}\` must be \`true\` or \`false\`, not ${describeType(node)}.`);
    return undefined;
  }
  return Boolean(node.value);
}

/** The value node of `key`; reports it missing when required. */
function readPresent(ctx: PlanContext, fields: Fields, key: string, options: ReadFieldOptions): Node | undefined {
  const node = valueOf(fields.props.get(key));
  if (node) return node;
  if (options.required) reportProblem(ctx, fields.anchor, `Missing \`${nameField(fields.where, key)}\`: ${options.required}`);
  return undefined;
}
