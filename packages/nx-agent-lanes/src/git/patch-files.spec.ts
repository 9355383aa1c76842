import { parseApplyFailures, parseNameStatus, patchFiles, unquoteGitString } from './patch-files';

// Printed by `git diff --cached --binary -M` (git 2.39) for a binary edit, a non-ASCII name,
// a name with a space, a rename and a name with a tab.
const PATCH = [
  'diff --git a/bin.dat b/bin.dat',
  'index 88768efdf77ec78c9a995f94881793be6a41752b..3e3315e1b02129d197721a8a0b56dd88862f454d 100644',
  'GIT binary patch',
  'literal 5',
  'McmZQzO3KUw00MIXJOBUy',
  '',
  'literal 5',
  'McmZQzOv=my00M6TI{*Lx',
  '',
  'diff --git "a/caf\\303\\251.txt" "b/caf\\303\\251.txt"',
  'index bca70f3..4286f42 100644',
  '--- "a/caf\\303\\251.txt"',
  '+++ "b/caf\\303\\251.txt"',
  '@@ -1 +1 @@',
  '-q',
  '+r',
  'diff --git a/has space.txt b/has space.txt',
  'index 7898192..6178079 100644',
  '--- a/has space.txt\t',
  '+++ b/has space.txt\t',
  '@@ -1,2 +1,2 @@',
  '--- a/looks-like-a-header.txt',
  '+b',
  'diff --git a/plain.txt b/moved dir.txt',
  'similarity index 100%',
  'rename from plain.txt',
  'rename to moved dir.txt',
  'diff --git "a/tab\\tname.txt" "b/tab\\tname.txt"',
  'new file mode 100644',
  'index 0000000..3e75765',
  '--- /dev/null',
  '+++ "b/tab\\tname.txt"',
  '@@ -0,0 +1 @@',
  '+new',
  '',
].join('\n');

describe('patchFiles', () => {
  it('lists every path a patch touches, both sides of renames, once each, ignoring hunk bodies', () => {
    expect(patchFiles(PATCH)).toEqual(['bin.dat', 'café.txt', 'has space.txt', 'plain.txt', 'moved dir.txt', 'tab\tname.txt']);
  });

  it('reads deletions and mode-only changes from their headers', () => {
    const patch = [
      'diff --git a/gone.ts b/gone.ts',
      'deleted file mode 100644',
      'index 3e75765..0000000',
      '--- a/gone.ts',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-x',
      'diff --git a/run me.sh b/run me.sh',
      'old mode 100644',
      'new mode 100755',
      '',
    ].join('\n');
    expect(patchFiles(patch)).toEqual(['gone.ts', 'run me.sh']);
  });

  it('returns nothing for an empty patch', () => {
    expect(patchFiles('')).toEqual([]);
  });
});

describe('unquoteGitString', () => {
  it('decodes octal UTF-8 bytes and C escapes and says where the string ended', () => {
    expect(unquoteGitString('"a\\\\b\\"c\\303\\251" rest')).toEqual({ value: 'a\\b"cé', end: 17 });
  });

  it('returns undefined for text that is not quoted or not closed', () => {
    expect(unquoteGitString('plain')).toBeUndefined();
    expect(unquoteGitString('"open')).toBeUndefined();
  });
});

describe('parseNameStatus', () => {
  it('maps git status letters, keeping the old path of renames', () => {
    const output = ['M', 'bin.dat', 'A', 'new.ts', 'D', 'old.ts', 'R087', 'a.ts', 'b.ts', 'T', 'link', ''].join('\0');
    expect(parseNameStatus(output)).toEqual([
      { path: 'bin.dat', status: 'modified' },
      { path: 'new.ts', status: 'added' },
      { path: 'old.ts', status: 'deleted' },
      { path: 'b.ts', status: 'renamed', from: 'a.ts' },
      { path: 'link', status: 'modified' },
    ]);
  });

  it('returns nothing for no output', () => {
    expect(parseNameStatus('')).toEqual([]);
  });
});

describe('parseApplyFailures', () => {
  it('names each file git apply refused, once', () => {
    const stderr = [
      'error: patch failed: src/a.ts:3',
      'error: src/a.ts: patch does not apply',
      'error: src/new.ts: already exists in working directory',
      'error: src/gone.ts: does not exist in index',
      'error: "caf\\303\\251.txt": patch does not apply',
      'warning: something unrelated',
      '',
    ].join('\n');
    expect(parseApplyFailures(stderr)).toEqual(['src/a.ts', 'src/new.ts', 'src/gone.ts', 'café.txt']);
  });
});
