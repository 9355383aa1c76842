import { type Node, parseTree } from 'jsonc-parser';
import { coversPattern, findPatternOverlap, globBase, isPathInside, matchesAny, matchPattern, staticBases } from '../ownership';
import type { PlanProblem } from '../errors';
import { createPlanContext, type PlanContext, reportProblem } from './plan-context';
import { type LaneRead, type PlanEntry, readLane } from './read-lane';
import { validateLanes } from './validate-lanes';

/*
 * The overlap check indexes owned entries by static base; these specs hold it to the check
 * that compares every two lanes, problem for problem, in the same order.
 */

const FILE = 'features/export/feature.jsonc';

type LaneSpec = { owns: string[]; forbids?: string[] };

/** The plan's lanes as read, one lane per line, so that problems carry real positions. */
function readLanes(lanes: Record<string, LaneSpec>): { ctx: PlanContext; lanes: LaneRead[] } {
  const lines = Object.entries(lanes).map(
    ([name, { owns, forbids }]) => `  ${JSON.stringify(name)}: { "spec": "s.md", "test": "t", "owns": ${JSON.stringify(owns)}, "forbids": ${JSON.stringify(forbids ?? [])} }`,
  );
  const text = ['{ "lanes": {', lines.join(',\n'), '} }'].join('\n');
  const ctx = createPlanContext({ file: FILE, text });
  const lanesNode = parseTree(text)?.children?.[0];
  const read = (lanesNode?.children?.[1]?.children ?? []).map((property: Node) => readLane(ctx, property, { root: 'features/export', fileStatus: () => 'file' }));
  expect(ctx.problems).toEqual([]);
  return { ctx, lanes: read };
}

/** Each problem's place and the two lanes it names, in the file's order. */
function inFileOrder(problems: PlanProblem[]): string[] {
  return problems.map((p) => `${p.line}:${p.column} ${p.message.split(' both own ')[0]}`).sort();
}

function overlapsOf(lanes: Record<string, LaneSpec>, repoFiles: string[] | (() => string[]) = []) {
  const { ctx, lanes: read } = readLanes(lanes);
  validateLanes(ctx, read, { repoFiles });
  return ctx.problems.filter((p) => p.message.includes(' both own '));
}

/** The check as it compared every two lanes, kept here as the reference. */
function pairwiseOverlapsOf(lanes: Record<string, LaneSpec>, repoFiles: string[] = []) {
  const { ctx, lanes: read } = readLanes(lanes);
  checkEveryPair(ctx, read, repoFiles);
  return ctx.problems;
}

function checkEveryPair(ctx: PlanContext, lanes: LaneRead[], repoFiles: readonly string[]): void {
  const covering = (lane: LaneRead, pattern: string) => lane.forbids.find((f) => coversPattern(f.value, pattern));
  const reported = new Set<string>();
  const report = (a: LaneRead, pa: PlanEntry, b: LaneRead, pb: PlanEntry, path: string): void => {
    const key = `${a.name}\n${pa.value}\n${b.name}\n${pb.value}`;
    if (reported.has(key)) return;
    reported.add(key);
    const what = path === pa.value && path === pb.value ? `\`${path}\`` : `\`${path}\` (lane \`${a.name}\` owns \`${pa.value}\`, lane \`${b.name}\` owns \`${pb.value}\`)`;
    reportProblem(ctx, pb.node, `Lanes \`${a.name}\` and \`${b.name}\` both own ${what}. Ownership must be disjoint so lanes never edit the same file: give it to one lane only.`);
  };
  const bases = staticBases(lanes.flatMap((l) => l.owns.map((o) => o.value)));
  const files = bases.includes('') ? repoFiles : [...new Set([...repoFiles].sort().filter((f) => bases.some((b) => isPathInside(f, b))))];
  const ordered = bases.includes('') ? files : bases.flatMap((b) => files.filter((f) => isPathInside(f, b)));
  for (const file of [...new Set(ordered)]) {
    const owners = lanes.flatMap((lane) => {
      const hit = lane.owns.find((entry) => isPathInside(file, globBase(entry.value)) && matchPattern(entry.value, file));
      return hit && !matchesAny(lane.forbids.map((f) => f.value), file) ? [{ lane, entry: hit }] : [];
    });
    for (const other of owners.slice(1)) report(owners[0].lane, owners[0].entry, other.lane, other.entry, file);
  }
  lanes.forEach((a, i) => {
    for (const b of lanes.slice(i + 1)) {
      for (const pa of a.owns) {
        for (const pb of b.owns) {
          const path = findPatternOverlap(pa.value, pb.value);
          if (path !== undefined && !covering(a, path) && !covering(b, path)) report(a, pa, b, pb, path);
        }
      }
    }
  });
}

const DISJOINT = 'Ownership must be disjoint so lanes never edit the same file: give it to one lane only.';

describe('validateLanes: overlaps found through the index of static bases', () => {
  it.each<[string, Record<string, LaneSpec>, string[]]>([
    [
      'nested bases, from a folder down to a file',
      {
        top: { owns: ['apps'] },
        web: { owns: ['apps/web/**'] },
        src: { owns: ['apps/web/src/**/*.ts'] },
        file: { owns: ['apps/web/src/main.ts'] },
      },
      ['apps/web/src/main.ts', 'apps/web/src/util.ts', 'apps/web/index.html'],
    ],
    [
      '`**` at the root against every other lane, and a carve-out',
      { all: { owns: ['**'], forbids: ['apps/api/**'] }, api: { owns: ['apps/api/src/x.ts'] }, web: { owns: ['apps/web/**'] } },
      ['apps/web/a.ts', 'apps/api/src/x.ts'],
    ],
    [
      'globs with no static base',
      { md: { owns: ['*.md', '**/*.test.ts'] }, docs: { owns: ['README.md'] }, auth: { owns: ['**/auth/**'] }, api: { owns: ['apps/api/auth/login.ts'] } },
      ['README.md', 'apps/api/auth/login.test.ts', 'libs/auth/x.ts'],
    ],
    [
      'braces and extglobs',
      {
        brace: { owns: ['apps/{web,api}/src/**'] },
        web: { owns: ['apps/web/src/a.ts'] },
        ext: { owns: ['libs/@(csv|pdf)/index.ts', 'libs/!(legacy)/**'] },
        csv: { owns: ['libs/csv/index.ts'] },
        legacy: { owns: ['libs/legacy/**'] },
        plus: { owns: ['tools/+(a|b)/*.js'] },
      },
      ['apps/api/src/b.ts', 'libs/pdf/index.ts', 'libs/legacy/old.ts', 'tools/a/run.js', 'tools/ab/run.js'],
    ],
    [
      'a file pattern inside another lane\'s folder glob, and the same glob twice',
      { web: { owns: ['apps/web/**'] }, page: { owns: ['apps/web/src/page.tsx'] }, again: { owns: ['apps/web/**'] }, styles: { owns: ['apps/web/**/*.css'] } },
      ['apps/web/src/page.tsx', 'apps/web/src/app.css'],
    ],
    [
      'siblings sharing a prefix, which share nothing',
      { api: { owns: ['apps/api'] }, e2e: { owns: ['apps/api-e2e/**'] }, apis: { owns: ['apps/apis/x.ts', 'apps/api.ts'] } },
      ['apps/api/a.ts', 'apps/api-e2e/b.ts', 'apps/apis/x.ts', 'apps/api.ts'],
    ],
    [
      'an escaped character in a static base',
      { esc: { owns: ['apps/\\[id\\]/*.ts'] }, page: { owns: ['apps/[id]/page.ts'] }, all: { owns: ['apps/**/page.ts'] } },
      ['apps/[id]/page.ts'],
    ],
  ])('%s: the same problems as comparing every pair', (_, lanes, repoFiles) => {
    const expected = pairwiseOverlapsOf(lanes, repoFiles);
    expect(overlapsOf(lanes, repoFiles)).toEqual(expected);
    expect(overlapsOf(lanes)).toEqual(pairwiseOverlapsOf(lanes));
  });

  it('reports at the later lane\'s entry, naming both lanes, a nested literal and the glob it falls in', () => {
    expect(overlapsOf({ web: { owns: ['apps/web/**'] }, page: { owns: ['apps/web/src/page.tsx'] }, other: { owns: ['libs/x/**'] } })).toEqual([
      {
        file: FILE,
        line: 3,
        column: 51,
        message: `Lanes \`web\` and \`page\` both own \`apps/web/src/page.tsx\` (lane \`web\` owns \`apps/web/**\`, lane \`page\` owns \`apps/web/src/page.tsx\`). ${DISJOINT}`,
      },
    ]);
  });

  it('asks for a lazy file list only when two lanes own globs whose folders nest', () => {
    let listed = 0;
    const list = () => {
      listed++;
      return ['apps/web/src/a.ts', 'apps/web/src/b.css'];
    };
    // Globs in folders of their own, and a literal inside another lane's glob: decided without files.
    overlapsOf({ web: { owns: ['apps/web/**'] }, api: { owns: ['apps/api/**'] }, page: { owns: ['apps/web/src/a.ts'] } }, list);
    expect(listed).toBe(0);
    // Two globs whose overlap only the files can show.
    const problems = overlapsOf({ ts: { owns: ['apps/web/**/*.ts'] }, a: { owns: ['apps/web/src/a*'] } }, list);
    expect(listed).toBe(1);
    expect(problems.map((p) => p.message.split(' (')[0])).toEqual(['Lanes `ts` and `a` both own `apps/web/src/a.ts`']);
  });

  it('agrees with every pair compared on generated plans', () => {
    const random = seededRandom(20261201);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const patterns = [
      '**', '*.md', '**/*.ts', '**/auth/**', 'apps', 'apps/web', 'apps/web/**', 'apps/web/src/**', 'apps/web/src/a.ts', 'apps/web/*.json',
      'apps/web-e2e/**', 'apps/{web,api}/**', 'apps/api/src/a.ts', 'apps/api/**/*.ts', 'apps/@(web|api)/src/a.ts', 'libs/!(legacy)/**',
      'libs/legacy', 'libs/legacy/x.ts', 'libs/*/index.ts', 'libs/csv/index.ts', 'README.md', 'apps/web/src/auth/login.ts',
    ];
    const files = ['README.md', 'apps/web/src/a.ts', 'apps/web/package.json', 'apps/api/src/a.ts', 'apps/api/src/b.ts', 'libs/csv/index.ts', 'libs/legacy/x.ts', 'apps/web/src/auth/login.ts', 'apps/web-e2e/t.ts'];
    let compared = 0;
    for (let round = 0; round < 150; round++) {
      const lanes: Record<string, LaneSpec> = {};
      const count = 2 + Math.floor(random() * 5);
      for (let l = 0; l < count; l++) {
        const owns = [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(patterns)))];
        lanes[`l${l}`] = { owns, forbids: random() < 0.3 ? [pick(patterns)] : [] };
      }
      const repoFiles = files.filter(() => random() < 0.6);
      const expected = pairwiseOverlapsOf(lanes, repoFiles);
      compared += expected.length;
      expect(overlapsOf(lanes, repoFiles)).toEqual(expected);
      // Listed only when two globs need them, the files give the same overlaps at the same
      // places. Without the list, an overlap of a literal folder names the nested path, not a
      // file in it, and readFeature sorts the problems into the file's order.
      expect(inFileOrder(overlapsOf(lanes, () => repoFiles))).toEqual(inFileOrder(expected));
    }
    // The generated plans overlap often enough for the comparison to mean something.
    expect(compared).toBeGreaterThan(150);
  });

  it('finds no overlap among thousands of lanes in folders of their own, and the one overlap added among them', () => {
    const lanes: Record<string, LaneSpec> = {};
    for (let i = 0; i < 2000; i++) lanes[`l${i}`] = { owns: [`src/f/l${i}/**`, `docs/l${i}.md`], forbids: ['src/shared/**'] };
    expect(overlapsOf(lanes)).toEqual([]);
    lanes.late = { owns: ['src/f/l1234/index.ts'] };
    expect(overlapsOf(lanes).map((p) => p.message)).toEqual([
      `Lanes \`l1234\` and \`late\` both own \`src/f/l1234/index.ts\` (lane \`l1234\` owns \`src/f/l1234/**\`, lane \`late\` owns \`src/f/l1234/index.ts\`). ${DISJOINT}`,
    ]);
  });
});

describe('validateLanes: after', () => {
  it('reports an unknown lane in `after` among many lanes, with a did you mean', () => {
    const { ctx, lanes } = readLanes({ api: { owns: ['apps/api/**'] }, web: { owns: ['apps/web/**'] } });
    lanes[1].after = [{ value: 'apj', node: lanes[1].property }];
    validateLanes(ctx, lanes);
    expect(ctx.problems.map((p) => p.message)).toEqual([
      'Lane `web` runs after `apj`, which is not a lane of this feature. Did you mean `api`? Its lanes are: api, web.',
    ]);
  });
});

/** A small deterministic generator (mulberry32), so a failure reproduces. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
