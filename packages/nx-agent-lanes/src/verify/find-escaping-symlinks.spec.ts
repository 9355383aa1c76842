import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findEscapingSymlinks, resolveInCheckout } from './find-escaping-symlinks';

/** Links are judged where they lead in a checkout, every link on the way followed. */
describe('findEscapingSymlinks', () => {
  let top: string;
  let root: string;
  const link = (path: string, target: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    symlinkSync(target, join(root, path));
  };
  beforeEach(() => {
    top = realpathSync(mkdtempSync(join(tmpdir(), 'nx-agent-lanes-links-')));
    root = join(top, 'checkout');
    mkdirSync(join(root, 'apps/api/src'), { recursive: true });
    writeFileSync(join(root, 'apps/api/src/index.js'), 'x\n');
    writeFileSync(join(root, '.git'), 'gitdir: /elsewhere\n');
  });
  afterEach(() => rmSync(top, { recursive: true, force: true }));
  const judge = (paths: string[], workspaceInRepo = '') => findEscapingSymlinks({ checkoutRoot: root, workspaceInRepo, paths });

  it('finds chained links that each stay inside on paper', () => {
    link('apps/api/d/up', '../..');
    link('apps/api/d/esc', 'up/../../../etc/passwd');
    link('apps/api/d/hooks', 'up/../.git/hooks');
    link('apps/api/d/deps', 'up/../node_modules/x');
    expect(judge(['apps/api/d/up', 'apps/api/d/esc', 'apps/api/d/hooks', 'apps/api/d/deps'])).toEqual([
      { path: 'apps/api/d/esc', target: 'up/../../../etc/passwd', resolved: join(top, '..', 'etc/passwd'), why: 'outside-workspace' },
      { path: 'apps/api/d/hooks', target: 'up/../.git/hooks', resolved: '.git/hooks', why: 'protected' },
      { path: 'apps/api/d/deps', target: 'up/../node_modules/x', resolved: 'node_modules/x', why: 'protected' },
    ]);
  });

  it('finds absolute links, dangling ones, loops, and links out of a workspace folder', () => {
    link('apps/api/passwd', '/etc/passwd');
    link('apps/api/gone', '../../../../nowhere/file');
    link('apps/api/loop', 'loop');
    link('apps/api/sibling', '../web');
    expect(judge(['apps/api/passwd', 'apps/api/gone', 'apps/api/loop']).map((l) => [l.path, l.why])).toEqual([
      ['apps/api/passwd', 'outside-workspace'],
      ['apps/api/gone', 'outside-workspace'],
      ['apps/api/loop', 'loop'],
    ]);
    expect(judge(['apps/api/sibling'], 'apps/api').map((l) => [l.path, l.why])).toEqual([['apps/api/sibling', 'outside-workspace']]);
  });

  it('passes links that lead inside the workspace, and ignores files and missing paths', () => {
    link('apps/api/shared', 'src/index.js');
    link('apps/api/d/up', '..');
    link('apps/api/d/via', 'up/src');
    expect(judge(['apps/api/shared', 'apps/api/d/up', 'apps/api/d/via', 'apps/api/src/index.js', 'apps/api/missing'])).toEqual([]);
    expect(resolveInCheckout(root, 'apps/api/d/via/index.js')).toBe(join(root, 'apps/api/src/index.js'));
  });
});
