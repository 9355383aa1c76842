import { FILE, FILES, problemsOf } from './__fixtures__/read-plan';
import { readFeatureOrThrow } from './read-feature';

/* `limits`: caps on what a lane's run records and on each file of its patch, at feature and lane level. */

const MIB = 1024 * 1024;

describe('readFeature: limits', () => {
  it('gives every lane 8 MiB of output, 32 MiB of transcript and patch files warned past 1 MiB, refused past 10 MiB when the plan says nothing', () => {
    const feature = readFeatureOrThrow({
      file: FILE,
      text: '{ "goal": "g", "contract": "contract.md", "lanes": { "api": { "spec": "lanes/api.md", "owns": ["a.ts"], "test": "t" } } }',
      fileStatus: FILES,
    });
    expect(feature.limits).toEqual({ outputBytes: 8 * MIB, transcriptBytes: 32 * MIB, patchFileWarnBytes: MIB, patchFileMaxBytes: 10 * MIB });
    expect(feature.lanes[0].limits).toEqual(feature.limits);
  });

  it('merges a lane override field by field over the feature limits and the defaults', () => {
    const feature = readFeatureOrThrow({
      file: FILE,
      text: `{ "goal": "g", "contract": "contract.md", "limits": { "outputBytes": 1048576 }, "lanes": {
        "api": { "spec": "lanes/api.md", "owns": ["a.ts"], "test": "t", "limits": { "transcriptBytes": 65536 } },
        "web": { "spec": "lanes/web.md", "owns": ["b.ts"], "test": "t" } } }`,
      fileStatus: FILES,
    });
    const [api, web] = feature.lanes;
    expect(feature.limits).toMatchObject({ outputBytes: MIB, transcriptBytes: 32 * MIB });
    expect(api.limits).toMatchObject({ outputBytes: MIB, transcriptBytes: 65536 });
    expect(web.limits).toEqual(feature.limits);
  });

  it('reports a cap too small for its marker, a fraction, an unknown key and a wrong type, where they are written', () => {
    const problems = problemsOf([
      '{ "goal": "g", "contract": "contract.md",',
      '  "limits": { "outputBytes": 100, "transcriptBytes": 1.5, "logBytes": 1 },',
      '  "lanes": { "api": { "spec": "lanes/api.md", "owns": ["a.ts"], "test": "t", "limits": "big" } }',
      '}',
    ]);
    expect(problems).toEqual([
      {
        line: 2,
        column: 30,
        message:
          '`limits.outputBytes` is 100 bytes; it must be at least 1024, to hold the line that says what was dropped (the default is 8 MiB: `8388608`).',
      },
      { line: 2, column: 54, message: '`limits.transcriptBytes` must be a positive whole number, not 1.5.' },
      { line: 2, column: 59, message: 'Unknown key `logBytes` in `limits`. Known keys: outputBytes, transcriptBytes, patchFileWarnBytes, patchFileMaxBytes.' },
      { line: 3, column: 88, message: '`lanes.api.limits` must be an object `{ ... }`, not a string.' },
    ]);
  });

  it('merges the patch limits field by field, and a maximum below the inherited warning pulls the warning down', () => {
    const feature = readFeatureOrThrow({
      file: FILE,
      text: `{ "goal": "g", "contract": "contract.md", "limits": { "patchFileWarnBytes": 2097152, "patchFileMaxBytes": 4194304 }, "lanes": {
        "api": { "spec": "lanes/api.md", "owns": ["a.ts"], "test": "t", "limits": { "patchFileMaxBytes": 52428800 } },
        "web": { "spec": "lanes/web.md", "owns": ["b.ts"], "test": "t", "limits": { "patchFileMaxBytes": 1048576 } },
        "docs": { "spec": "lanes/docs.md", "owns": ["c.md"], "test": "t" } } }`,
      fileStatus: (path) => (path === 'features/export/lanes/docs.md' ? 'file' : FILES(path)),
    });
    const byName = Object.fromEntries(feature.lanes.map((l) => [l.name, l.limits]));
    expect(feature.limits).toMatchObject({ patchFileWarnBytes: 2 * MIB, patchFileMaxBytes: 4 * MIB });
    expect(byName.api).toMatchObject({ patchFileWarnBytes: 2 * MIB, patchFileMaxBytes: 50 * MIB });
    expect(byName.web).toMatchObject({ patchFileWarnBytes: MIB, patchFileMaxBytes: MIB });
    expect(byName.docs).toEqual(feature.limits);
  });

  it('reports patch limits that are too small, not whole, or a warning above the maximum beside it, where they are written', () => {
    const problems = problemsOf([
      '{ "goal": "g", "contract": "contract.md",',
      '  "limits": { "patchFileWarnBytes": 20971520, "patchFileMaxBytes": 10485760 },',
      '  "lanes": { "api": { "spec": "lanes/api.md", "owns": ["a.ts"], "test": "t", "limits": { "patchFileWarnBytes": 10, "patchFileMaxBytes": -1 } } }',
      '}',
    ]);
    expect(problems).toEqual([
      {
        line: 2,
        column: 37,
        message:
          '`limits.patchFileWarnBytes` (20971520) is above `limits.patchFileMaxBytes` (10485760): a file that size is refused before it could be ' +
          'warned about. Lower the warning limit, or raise the maximum.',
      },
      {
        line: 3,
        column: 112,
        message: '`lanes.api.limits.patchFileWarnBytes` is 10 bytes; it must be at least 1024 (the default is 1 MiB: `1048576`).',
      },
      { line: 3, column: 137, message: '`lanes.api.limits.patchFileMaxBytes` must be a positive whole number, not -1.' },
    ]);
  });
});
