import { parse } from 'jsonc-parser';
import { addLaneEntry, detectFormatting, findLaneOffset } from './add-lane-entry';

const entry = { spec: 'lanes/api.md', owns: ['apps/api/a.ts'], test: 'npx jest apps/api' };

describe('addLaneEntry', () => {
  it('adds the lane and keeps comments before, inside and after `lanes`', () => {
    const text = [
      '{',
      '  // the goal',
      '  "goal": "g",',
      '  "lanes": {',
      '    // an example lane, commented out',
      '  },',
      '  /* review */ "review": { "risky": [] }',
      '}',
    ].join('\n');

    const next = addLaneEntry({ text, lane: 'api', entry });

    expect(next).toContain('// the goal');
    expect(next).toContain('// an example lane, commented out');
    expect(next).toContain('/* review */ "review": { "risky": [] }');
    expect(parse(next).lanes).toEqual({ api: entry });
  });

  it('creates `lanes` when the plan has none', () => {
    const next = addLaneEntry({ text: '{\n  "goal": "g"\n}\n', lane: 'api', entry });
    expect(parse(next)).toEqual({ goal: 'g', lanes: { api: entry } });
  });

  it("indents with the file's own tabs and line endings", () => {
    const text = '{\r\n\t"goal": "g",\r\n\t"lanes": {}\r\n}\r\n';
    const next = addLaneEntry({ text, lane: 'api', entry });
    expect(next).toContain('\r\n\t\t"api": {\r\n\t\t\t"spec": "lanes/api.md",');
    expect(next.replace(/\r\n/g, '')).not.toContain('\n');
  });
});

describe('detectFormatting', () => {
  it('reads four-space indentation', () => {
    expect(detectFormatting('{\n    "a": 1\n}')).toEqual({ insertSpaces: true, tabSize: 4, eol: '\n' });
  });
});

describe('findLaneOffset', () => {
  const text = '{\n  "lanes": {\n    "api": { "owns": [] }\n  }\n}';

  it('points at the key of an existing lane', () => {
    expect(text.slice(findLaneOffset({ text, lane: 'api' }))).toMatch(/^"api"/);
  });

  it('is undefined for a lane the plan does not have', () => {
    expect(findLaneOffset({ text, lane: 'web' })).toBeUndefined();
  });
});
