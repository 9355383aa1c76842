import { findEscapingSymlinks } from './find-escaping-symlinks';

const link = (path: string, target: string, header = 'new file mode 120000') =>
  `diff --git a/${path} b/${path}\n${header}\nindex 0000000..1234567\n--- /dev/null\n+++ b/${path}\n@@ -0,0 +1 @@\n+${target}\n\\ No newline at end of file\n`;

describe('findEscapingSymlinks', () => {
  it('finds links to absolute paths, above the repository, and into .git', () => {
    const patch = [
      link('apps/api/src/passwd', '/etc/passwd'),
      link('apps/api/src/up', '../../../../outside'),
      link('apps/api/src/hooks', '../../../.git/hooks'),
      link('apps/api/src/shared', '../../web/src/index.js'),
    ].join('');
    expect(findEscapingSymlinks(patch)).toEqual([
      { path: 'apps/api/src/passwd', target: '/etc/passwd' },
      { path: 'apps/api/src/up', target: '../../../../outside' },
      { path: 'apps/api/src/hooks', target: '../../../.git/hooks' },
    ]);
  });

  it('finds a file turned into a link, and ignores ordinary files', () => {
    const modeChange = 'diff --git a/a/x b/a/x\nold mode 100644\nnew mode 120000\nindex 1111111..2222222\n--- a/a/x\n+++ b/a/x\n@@ -1 +1 @@\n-text\n+/home\n';
    const file = 'diff --git a/a/y b/a/y\nnew file mode 100644\nindex 0000000..3333333\n--- /dev/null\n+++ b/a/y\n@@ -0,0 +1 @@\n+/etc/passwd\n';
    expect(findEscapingSymlinks(modeChange + file)).toEqual([{ path: 'a/x', target: '/home' }]);
  });
});
