import { findUnattributedSections, parseApplyNumstat, parseRawChanges } from './patch-sections';

const section = (path: string) => `diff --git a/${path} b/${path}\nindex 1111111..2222222 100644\n--- a/${path}\n+++ b/${path}\n@@ -1 +1 @@\n-a\n+b\n`;
const plain = (path: string) => `--- a/${path}\n+++ b/${path}\n@@ -1 +1 @@\n-a\n+b\n`;

describe('parseApplyNumstat', () => {
  it('reads each section path, binary and with spaces or newlines in it', () => {
    expect(parseApplyNumstat('1\t0\tb.txt\0-\t-\tbin.dat\x000\t0\td/sp ace.txt\0')).toEqual(['b.txt', 'bin.dat', 'd/sp ace.txt']);
    expect(parseApplyNumstat('')).toEqual([]);
  });
});

describe('findUnattributedSections', () => {
  it('accepts a patch git reads section by section as the plugin does, renames by their new path', () => {
    const rename = 'diff --git a/old.js b/new.js\nsimilarity index 100%\nrename from old.js\nrename to new.js\n';
    expect(findUnattributedSections(section('a.js') + rename, ['a.js', 'new.js'])).toEqual([]);
  });
  it('names a plain unified diff section, appended or tucked in front', () => {
    expect(findUnattributedSections(section('a.js') + plain('docs/x.md'), ['a.js', 'docs/x.md'])).toEqual([
      'git would change docs/x.md in a section that has no `diff --git` header of its own',
    ]);
    expect(findUnattributedSections(plain('docs/x.md') + section('a.js'), ['docs/x.md', 'a.js'])).toHaveLength(2);
  });
  it('names a section the plugin reads and git does not', () => {
    expect(findUnattributedSections(section('a.js'), [])).toEqual(['git reads no change where the plugin reads the section for a.js']);
  });
});

describe('parseRawChanges', () => {
  it('reads modes, status and paths, symlinks and spaces included', () => {
    const raw = ':000000 120000 0000000 1111111 A\0d/up\0:100644 100755 2222222 2222222 M\0a b.sh\0:100644 000000 3333333 0000000 D\0gone\0';
    expect(parseRawChanges(raw)).toEqual([
      { path: 'd/up', status: 'A', oldMode: '000000', newMode: '120000' },
      { path: 'a b.sh', status: 'M', oldMode: '100644', newMode: '100755' },
      { path: 'gone', status: 'D', oldMode: '100644', newMode: '000000' },
    ]);
  });
});
