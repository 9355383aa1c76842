import { LanesError } from '../errors';
import { checkOwnership, isOwnedBy, type OwnershipLane, type OwnershipPlan } from './check-ownership';

function lane(name: string, owns: string[], forbids: string[] = []): OwnershipLane {
  return { name, owns, forbids };
}

const backend = lane('backend', ['apps/api/src/routes/export.ts', 'apps/api/src/export/**'], ['apps/api/src/export/generated/**']);
const frontend = lane('frontend', ['apps/web/**']);
const docs = lane('docs', ['docs/export.md', 'docs/guides']);
const feature: OwnershipPlan = { name: 'f', file: 'features/f/feature.jsonc', lanes: [backend, frontend, docs] };

describe('checkOwnership', () => {
  it('accepts paths inside the lane: literal files, glob matches, dot files, files in an owned folder', () => {
    expect(checkOwnership(feature, 'backend', ['apps/api/src/routes/export.ts', 'apps/api/src/export/csv.ts', './apps/api/src/export/.keep'])).toEqual([]);
    expect(checkOwnership(feature, 'docs', ['docs/export.md', 'docs/guides/csv/intro.md'])).toEqual([]);
    expect(checkOwnership(feature, 'docs', [])).toEqual([]);
  });

  it('gives one verdict per offending path, with the reason', () => {
    const violations = checkOwnership(feature, 'backend', [
      'apps/api/src/routes/export.ts',
      'apps/web/src/app.tsx',
      'apps/api/src/export/generated/schema.ts',
      'apps/api/src/main.ts',
      'docs/guides',
      '../outside.txt',
      '/etc/hosts',
      '.git/config',
      'apps/api/node_modules/x/index.js',
    ]);
    expect(violations).toEqual([
      {
        path: 'apps/web/src/app.tsx',
        reason: 'owned-by-other-lane',
        otherLane: 'frontend',
        message: '`apps/web/src/app.tsx` is owned by lane `frontend`, not by lane `backend`.',
      },
      {
        path: 'apps/api/src/export/generated/schema.ts',
        reason: 'forbidden',
        message: '`apps/api/src/export/generated/schema.ts` is forbidden to lane `backend` (forbids `apps/api/src/export/generated/**`).',
      },
      {
        path: 'apps/api/src/main.ts',
        reason: 'not-owned',
        message: "`apps/api/src/main.ts` is not owned by lane `backend`; add it to the lane's `owns` in features/f/feature.jsonc if the lane should change it.",
      },
      { path: 'docs/guides', reason: 'owned-by-other-lane', otherLane: 'docs', message: '`docs/guides` is owned by lane `docs`, not by lane `backend`.' },
      { path: '../outside.txt', reason: 'outside-workspace', message: expect.stringContaining('is outside the workspace') },
      { path: '/etc/hosts', reason: 'outside-workspace', message: expect.stringContaining('is outside the workspace') },
      { path: '.git/config', reason: 'protected', message: '`.git/config` is inside .git or node_modules, which no lane may change.' },
      { path: 'apps/api/node_modules/x/index.js', reason: 'protected', message: expect.stringContaining('inside .git or node_modules') },
    ]);
  });

  it('treats .git and node_modules as protected even for a lane that owns everything', () => {
    const everything: OwnershipPlan = { ...feature, lanes: [lane('all', ['**'])] };
    expect(checkOwnership(everything, 'all', ['src/a.ts', '.github/workflows/ci.yml'])).toEqual([]);
    expect(checkOwnership(everything, 'all', ['.git/HEAD', 'node_modules/.bin/jest']).map((v) => v.reason)).toEqual(['protected', 'protected']);
  });

  it('throws a LanesError naming the lanes for a lane the feature does not have', () => {
    expect(() => checkOwnership(feature, 'mobile', ['a.ts'])).toThrow(LanesError);
    expect(() => checkOwnership(feature, 'mobile', ['a.ts'])).toThrow('Feature `f` has no lane `mobile`.');
  });
});

describe('isOwnedBy', () => {
  it('says whether a lane may change a path, forbids winning over owns', () => {
    expect(isOwnedBy(backend, 'apps/api/src/export/csv.ts')).toBe(true);
    expect(isOwnedBy(backend, 'apps/api/src/export/generated/x.ts')).toBe(false);
    expect(isOwnedBy(backend, 'apps/api/src/routes/export.ts')).toBe(true);
    expect(isOwnedBy(backend, 'apps/api/src/routes/export.spec.ts')).toBe(false);
    expect(isOwnedBy(frontend, 'apps/web')).toBe(true);
    expect(isOwnedBy(frontend, 'apps/webapp/x.ts')).toBe(false);
    expect(isOwnedBy(docs, 'docs/guidesx.md')).toBe(false);
  });
});

describe('isOwnedBy with literal folders', () => {
  const api = lane('api', ['apps/api', './apps/shared/'], ['apps/api/.env', 'apps/api/generated']);

  it('owns everything inside a literal folder, and nothing in a folder that only shares its prefix', () => {
    expect(isOwnedBy(api, 'apps/api/src/x.ts')).toBe(true);
    expect(isOwnedBy(api, 'apps/api/.github/ci.yml')).toBe(true);
    expect(isOwnedBy(api, 'apps/apis/x.ts')).toBe(false);
    expect(isOwnedBy(api, 'apps/shared/util.ts')).toBe(true);
    expect(isOwnedBy(api, './apps/api/src/x.ts')).toBe(true);
  });

  it('lets a literal forbid win over the owned folder, for a file and for a whole folder', () => {
    expect(isOwnedBy(api, 'apps/api/.env')).toBe(false);
    expect(isOwnedBy(api, 'apps/api/generated/schema.ts')).toBe(false);
    expect(isOwnedBy(api, 'apps/api/generated-docs/a.md')).toBe(true);
  });

  it('gives the same verdict through checkOwnership', () => {
    const plan: OwnershipPlan = { name: 'f', file: 'f/feature.jsonc', lanes: [api, lane('web', ['apps/web'])] };
    expect(checkOwnership(plan, 'api', ['apps/api/src/x.ts', 'apps/api/generated/a.ts', 'apps/web/src/a.tsx', 'apps/apis/x.ts']).map((v) => [v.path, v.reason])).toEqual([
      ['apps/api/generated/a.ts', 'forbidden'],
      ['apps/web/src/a.tsx', 'owned-by-other-lane'],
      ['apps/apis/x.ts', 'not-owned'],
    ]);
  });
});
