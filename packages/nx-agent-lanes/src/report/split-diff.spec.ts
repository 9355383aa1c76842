import { splitDiff } from './split-diff';

describe('splitDiff', () => {
  it('cuts a diff into one section per file, named by its new path', () => {
    const diff = [
      'diff --git a/src/a.ts b/src/a.ts',
      'index 1..2 100644',
      '--- a/src/a.ts',
      '+++ b/src/a.ts',
      '@@ -1 +1 @@',
      '-diff --git a/fake b/fake',
      '+x',
      'diff --git a/old name.ts b/new name.ts',
      'similarity index 90%',
      'rename from old name.ts',
      'rename to new name.ts',
      'diff --git a/gone.ts b/gone.ts',
      'deleted file mode 100644',
      '--- a/gone.ts',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-bye',
      '',
    ].join('\n');
    const files = splitDiff(diff);
    expect(files.map((f) => f.path)).toEqual(['src/a.ts', 'new name.ts', 'gone.ts']);
    expect(files[0].text.split('\n')).toHaveLength(7);
    expect(files[2].text.endsWith('-bye')).toBe(true);
  });

  it('gives nothing for an empty diff', () => {
    expect(splitDiff('')).toEqual([]);
  });
});
