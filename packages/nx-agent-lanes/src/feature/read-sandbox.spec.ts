import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FILE, FILES, problemsOf } from './__fixtures__/read-plan';
import { SANDBOX_KEYS } from './feature-keys';
import { readFeature } from './read-feature';
import { DEFAULT_SANDBOX, SANDBOX_MODES, matchHostPattern, parseHostPattern } from './read-sandbox';

function planWith(featureSandbox: string | undefined, laneSandbox?: string): string[] {
  return [
    '{',
    '  "goal": "g",',
    '  "contract": "contract.md",',
    ...(featureSandbox === undefined ? [] : [`  "sandbox": ${featureSandbox},`]),
    '  "lanes": {',
    `    "api": { "spec": "lanes/api.md", "owns": ["a.ts"], "test": "t"${laneSandbox === undefined ? '' : `, "sandbox": ${laneSandbox}`} },`,
    '    "web": { "spec": "lanes/web.md", "owns": ["w.ts"], "test": "t" }',
    '  }',
    '}',
  ];
}

function read(lines: string[]) {
  const { feature, problems } = readFeature({ file: FILE, text: lines.join('\n'), fileStatus: FILES });
  expect(problems).toEqual([]);
  return feature!;
}

describe('readFeature: sandbox', () => {
  it('defaults to auto with no hosts, at the feature and in every lane', () => {
    const feature = read(planWith(undefined));
    expect(feature.sandbox).toEqual({ mode: 'auto', allowHosts: [] });
    expect(feature.lanes.map((l) => l.sandbox)).toEqual([DEFAULT_SANDBOX, DEFAULT_SANDBOX]);
  });

  it('takes a mode string or an object, and a lane overrides the feature field by field', () => {
    const feature = read(planWith('{ "mode": "required", "allowHosts": ["registry.npmjs.org", "*.GitHub.com:443"] }', '"off"'));
    expect(feature.sandbox).toEqual({ mode: 'required', allowHosts: ['registry.npmjs.org', '*.github.com:443'] });
    const [api, web] = ['api', 'web'].map((n) => feature.lanes.find((l) => l.name === n)!.sandbox);
    expect(api).toEqual({ mode: 'off', allowHosts: ['registry.npmjs.org', '*.github.com:443'] });
    expect(web).toEqual({ mode: 'required', allowHosts: ['registry.npmjs.org', '*.github.com:443'] });
  });

  it("replaces the feature's hosts with a lane's own list, and keeps the feature's mode", () => {
    const feature = read(planWith('"required"', '{ "allowHosts": ["pypi.org"] }'));
    expect(feature.lanes.find((l) => l.name === 'api')!.sandbox).toEqual({ mode: 'required', allowHosts: ['pypi.org'] });
  });

  it('reports a wrong mode, a wrong type, an unknown key and bad hosts where they are', () => {
    expect(problemsOf(planWith('"strict"'))).toEqual([
      { line: 4, column: 14, message: expect.stringContaining('`sandbox` is `strict`; it must be one of `"auto"`, `"required"`, `"off"`') },
    ]);
    expect(problemsOf(planWith('true'))).toEqual([{ line: 4, column: 14, message: expect.stringContaining('`sandbox` must be one of') }]);
    expect(problemsOf(planWith('{ "mode": 1, "hosts": [] }'))).toEqual([
      { line: 4, column: 24, message: '`sandbox.mode` must be one of `"auto"`, `"required"`, `"off"`, not a number.' },
      { line: 4, column: 27, message: expect.stringMatching(/^Unknown key `hosts` in `sandbox`\..*Known keys: mode, allowHosts\.$/) },
    ]);
    expect(problemsOf(planWith(undefined, '{ "allowHosts": ["https://example.com/x", "localhost:3000", "*"] }'))).toEqual([
      expect.objectContaining({ line: 5, message: expect.stringContaining('`https://example.com/x` is not a host name') }),
      expect.objectContaining({ line: 5, message: expect.stringContaining('`localhost:3000` is this machine') }),
      expect.objectContaining({ line: 5, message: expect.stringContaining('`*` would allow every host') }),
    ]);
  });
});

describe('allowHosts patterns', () => {
  it('parses names, subdomain wildcards and ports, and refuses what is not a host', () => {
    expect(parseHostPattern('Registry.npmjs.org')).toEqual({ host: 'registry.npmjs.org', wildcard: false });
    expect(parseHostPattern('*.github.com:443')).toEqual({ host: 'github.com', wildcard: true, port: 443 });
    expect(parseHostPattern('10.1.2.3:5432')).toEqual({ host: '10.1.2.3', wildcard: false, port: 5432 });
    for (const bad of ['127.0.0.1', '*.localhost', '[::1]:80', 'a..b', 'example.com:0', 'example.com/path', '']) {
      expect(parseHostPattern(bad)).toHaveProperty('problem');
    }
  });

  it('matches a wildcard on subdomains only, and a port only when one is given', () => {
    const wildcard = parseHostPattern('*.github.com') as Exclude<ReturnType<typeof parseHostPattern>, { problem: string }>;
    expect(matchHostPattern(wildcard, 'api.github.com', 443)).toBe(true);
    expect(matchHostPattern(wildcard, 'github.com', 443)).toBe(false);
    expect(matchHostPattern(wildcard, 'evilgithub.com', 443)).toBe(false);
    const exact = parseHostPattern('registry.npmjs.org:443') as typeof wildcard;
    expect(matchHostPattern(exact, 'REGISTRY.npmjs.org.', 443)).toBe(true);
    expect(matchHostPattern(exact, 'registry.npmjs.org', 80)).toBe(false);
  });
});

describe('feature.schema.json: sandbox', () => {
  const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', 'feature.schema.json'), 'utf8'));

  it('offers the same modes, keys and default as the reader, at the feature and lane level', () => {
    const sandbox = schema.definitions.sandbox;
    const [mode, object] = sandbox.oneOf;
    expect(sandbox.default).toBe(DEFAULT_SANDBOX.mode);
    expect(mode.enum).toEqual([...SANDBOX_MODES]);
    expect(Object.keys(object.properties).sort()).toEqual([...SANDBOX_KEYS].sort());
    expect(object.additionalProperties).toBe(false);
    expect(object.properties.mode.enum).toEqual([...SANDBOX_MODES]);
    expect(schema.properties.sandbox.$ref).toBe('#/definitions/sandbox');
    expect(schema.definitions.lane.properties.sandbox.$ref).toBe('#/definitions/sandbox');
  });
});
