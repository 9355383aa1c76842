import { testFeature, testLane } from '../__fixtures__/lane-fixture';
import { classifyRisk, judgeOwnership, toWorkspacePaths } from './plan-verdict';

describe('classifyRisk', () => {
  const api = testLane('api', ['apps/api']);
  const web = testLane('web', ['apps/web/**'], { risky: true });

  it('marks the files under a literal risky folder risky, and not a sibling sharing its prefix', () => {
    const feature = testFeature([api, web], { review: { risky: ['apps/api/src/auth', 'apps/api/src/billing.ts'] } });
    expect(classifyRisk(feature, api, ['apps/api/src/auth/login.ts', 'apps/api/src/authz.ts', 'apps/api/src/billing.ts', 'apps/api/src/x.ts'])).toEqual({
      class: 'risky',
      riskyFiles: ['apps/api/src/auth/login.ts', 'apps/api/src/billing.ts'],
    });
  });

  it('matches risky globs with dot files, and trusts a change that matches none', () => {
    const feature = testFeature([api, web], { review: { risky: ['**/auth/**'] } });
    expect(classifyRisk(feature, api, ['apps/api/auth/.env.example']).riskyFiles).toEqual(['apps/api/auth/.env.example']);
    expect(classifyRisk(feature, api, ['apps/api/src/x.ts'])).toEqual({ class: 'trusted', riskyFiles: [] });
    expect(classifyRisk(testFeature([api]), api, ['apps/api/src/x.ts'])).toEqual({ class: 'trusted', riskyFiles: [] });
  });

  it('marks every file of a lane marked risky', () => {
    const feature = testFeature([api, web]);
    expect(classifyRisk(feature, web, ['apps/web/a.tsx'])).toEqual({ class: 'risky', riskyFiles: ['apps/web/a.tsx'] });
    expect(classifyRisk(feature, web, [])).toEqual({ class: 'trusted', riskyFiles: [] });
  });
});

describe('judgeOwnership', () => {
  it('judges each changed path once, through a literal owned folder', () => {
    const feature = testFeature([testLane('api', ['apps/api']), testLane('web', ['apps/web'])]);
    const verdict = judgeOwnership(feature, feature.lanes[0], ['apps/api/a.ts', 'apps/web/b.ts', 'apps/web/b.ts']);
    expect(verdict.ok).toBe(false);
    expect(verdict.violations.map((v) => [v.path, v.reason, v.otherLane])).toEqual([['apps/web/b.ts', 'owned-by-other-lane', 'web']]);
  });
});

describe('toWorkspacePaths', () => {
  it('strips the workspace folder from repository paths and flags what lies outside it', () => {
    expect(toWorkspacePaths(['ws/apps/a.ts', 'other/b.ts'], 'ws')).toEqual(['apps/a.ts', '../other/b.ts']);
    expect(toWorkspacePaths(['apps/a.ts'], '')).toEqual(['apps/a.ts']);
  });
});
