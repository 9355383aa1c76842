import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LanesError } from '../errors';
import { loadReplayScript, parseReplayScript } from './load-replay-script';

describe('loadReplayScript', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'replay-load-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a valid script, comments allowed', () => {
    const file = join(dir, 'ok.json');
    writeFileSync(file, '{\n  // recorded 2026-01-01\n  "sessions": [{ "name": "a", "match": { "contains": "x" }, "turns": [{ "content": [{ "type": "text", "text": "hi" }] }] }]\n}\n');
    expect(loadReplayScript(file).sessions[0].turns[0].content).toEqual([{ type: 'text', text: 'hi' }]);
  });

  it('names the file when it cannot be read', () => {
    expect(() => loadReplayScript(join(dir, 'missing.json'))).toThrow(/Cannot read the replay script .*missing\.json/);
  });

  it('reports every problem with file, line and column', () => {
    const text = [
      '{',
      '  "sessions": [',
      '    { "name": "a", "match": { "contains": 3 }, "turns": [] },',
      '    { "name": "a", "match": {}, "turns": [{ "content": [{ "type": "tool_use", "input": {} }], "stop_reason": "done" }] }',
      '  ]',
      '}',
    ].join('\n');
    let error: unknown;
    try {
      parseReplayScript({ text, file: 'script.json' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LanesError);
    const message = (error as LanesError).message;
    expect(message).toContain('The replay script has 4 problems');
    expect(message).toContain('script.json:3:43: "contains" must be a string or an array of strings.');
    expect(message).toContain('script.json:4:15: Session name "a" is used twice');
    expect(message).toMatch(/script\.json:4:\d+: A tool_use block needs a non-empty string "name"\. \(at sessions\[1\]\.turns\[0\]\.content\[0\]\.name\)/);
    expect(message).toContain('"stop_reason" must be one of');
  });

  it('reports invalid JSON with its position', () => {
    expect(() => parseReplayScript({ text: '{\n  "sessions": [\n}', file: 'bad.json' })).toThrow(/bad\.json:3:1: Invalid JSON/);
  });
});
