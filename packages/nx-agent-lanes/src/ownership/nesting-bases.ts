import { globBase } from './glob-base';

/**
 * `a/b/c`, `a/b`, `a` and `` (the workspace): `base` and every folder holding it, innermost
 * first. A path is inside a folder (isPathInside) exactly when the folder is one of these.
 */
export function foldersHolding(base: string): string[] {
  const folders = [base];
  for (let i = base.lastIndexOf('/'); i > 0; i = base.lastIndexOf('/', i - 1)) folders.push(base.slice(0, i));
  if (base !== '') folders.push('');
  return folders;
}

/**
 * The folder every path `pattern` matches lies in, for indexing patterns: its static base,
 * cut before the first segment with a `\` (an escape names a different file than it spells,
 * so the spelled prefix proves nothing). Patterns whose index bases do not nest share no path.
 */
export function indexBase(pattern: string): string {
  const base = globBase(pattern);
  const escape = base.indexOf('\\');
  if (escape < 0) return base;
  const cut = base.lastIndexOf('/', escape);
  return cut < 0 ? '' : base.slice(0, cut);
}

/**
 * Calls `visit(item, holder)` once for every two of `items` whose bases nest: `holder`'s base is
 * `item`'s base or a folder holding it (for the same base, `item` comes first in `items`).
 * Visits run item by item, in the order of `items`, then of `holder`'s base from `item`'s own
 * outwards, then of `items`. Each item looks up its base and its parent folders in an index,
 * so items in unrelated folders are never paired: linear for patterns in folders of their own.
 */
export function forEachNestingPair<T>(items: readonly T[], baseOf: (item: T) => string, visit: (item: T, holder: T) => void): void {
  const bases = items.map(baseOf);
  const byBase = new Map<string, number[]>();
  bases.forEach((base, i) => {
    const list = byBase.get(base);
    if (list) list.push(i);
    else byBase.set(base, [i]);
  });
  bases.forEach((base, i) => {
    for (const folder of foldersHolding(base)) {
      for (const j of byBase.get(folder) ?? []) {
        // A pair with the same base is met from both sides: take it from the earlier one.
        if (folder === base && j <= i) continue;
        visit(items[i], items[j]);
      }
    }
  });
}
