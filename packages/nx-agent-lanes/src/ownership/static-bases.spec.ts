import { staticBases } from './static-bases';

describe('staticBases', () => {
  it('takes a literal path as its own base and a glob by its static prefix, sorted', () => {
    expect(staticBases(['apps/web/**', 'apps/api/src/main.ts', 'libs/{a,b}/src/**'])).toEqual(['apps/api/src/main.ts', 'apps/web', 'libs']);
  });

  it('drops repeats and bases inside another, but not siblings sharing a prefix', () => {
    expect(staticBases(['apps/api', './apps/api/', 'apps/api/src/**', 'apps/api-e2e/**', 'apps/apis/x.ts'])).toEqual([
      'apps/api',
      'apps/api-e2e',
      'apps/apis/x.ts',
    ]);
  });

  it('collapses to the workspace when a glob has no static prefix', () => {
    expect(staticBases(['apps/web/**', '**/auth/**'])).toEqual(['']);
    expect(staticBases(['*.md'])).toEqual(['']);
  });

  it('is empty for no patterns', () => {
    expect(staticBases([])).toEqual([]);
  });
});
