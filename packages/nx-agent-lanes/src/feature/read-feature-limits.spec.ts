import { FILE, FILES, problemsOf } from './__fixtures__/read-plan';
import { readFeatureOrThrow } from './read-feature';

/* `limits`: caps on what a lane's run records, at feature and lane level. */

const MIB = 1024 * 1024;

describe('readFeature: limits', () => {
  it('gives every lane 8 MiB of output and 32 MiB of transcript when the plan says nothing', () => {
    const feature = readFeatureOrThrow({
      file: FILE,
      text: '{ "goal": "g", "contract": "contract.md", "lanes": { "api": { "spec": "lanes/api.md", "owns": ["a.ts"], "test": "t" } } }',
      fileStatus: FILES,
    });
    expect(feature.limits).toEqual({ outputBytes: 8 * MIB, transcriptBytes: 32 * MIB });
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
    expect(feature.limits).toEqual({ outputBytes: MIB, transcriptBytes: 32 * MIB });
    expect(api.limits).toEqual({ outputBytes: MIB, transcriptBytes: 65536 });
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
      { line: 2, column: 59, message: 'Unknown key `logBytes` in `limits`. Known keys: outputBytes, transcriptBytes.' },
      { line: 3, column: 88, message: '`lanes.api.limits` must be an object `{ ... }`, not a string.' },
    ]);
  });
});
