import { SecretScanner, StreamRedactor, collectSecrets, mergeSecrets, redactSecrets } from './redact-secrets';

const KEY = 'fake-key-marker-0123456789abcdef';
const secrets = [{ name: 'ANTHROPIC_API_KEY', value: KEY }];

/** Everything a StreamRedactor releases for `pieces`, end included. */
function streamed(pieces: string[]): string {
  const redactor = new StreamRedactor(secrets);
  return pieces.map((p) => redactor.push(p)).join('') + redactor.end();
}

describe('StreamRedactor', () => {
  it('redacts a secret split between two chunks, releasing neither half', () => {
    const cut = 9;
    const redactor = new StreamRedactor(secrets);
    const first = redactor.push(`key=${KEY.slice(0, cut)}`);
    expect(first).toBe('key=');
    expect(redactor.push(`${KEY.slice(cut)} done\n`)).toBe('[redacted ANTHROPIC_API_KEY] done\n');
    expect(redactor.end()).toBe('');
  });

  it('redacts a secret that arrives one character at a time', () => {
    const text = `a ${KEY} b ${KEY}`;
    expect(streamed([...text])).toBe('a [redacted ANTHROPIC_API_KEY] b [redacted ANTHROPIC_API_KEY]');
  });

  it('holds back only what could still become a secret, so output that pauses still shows', () => {
    const redactor = new StreamRedactor(secrets);
    expect(redactor.push('step 1 of 3\n')).toBe('step 1 of 3\n');
    expect(redactor.push('almost fake-ke')).toBe('almost ');
    // Not a secret after all: released with the next piece, and at the end.
    expect(redactor.push('ys more')).toBe('fake-keys more');
    expect(redactor.push(' fa')).toBe(' ');
    expect(redactor.end()).toBe('fa');
  });

  it('passes text through untouched when there are no secrets', () => {
    const redactor = new StreamRedactor([]);
    expect(redactor.push('fake-key')).toBe('fake-key');
    expect(redactor.end()).toBe('');
  });
});

describe('SecretScanner', () => {
  it('finds values split across the pieces of a file, naming each secret once', () => {
    const token = { name: 'EXPORT_TOKEN', value: 'tok-marker-5f3a9c1e' };
    const scanner = new SecretScanner([...secrets, token]);
    const bytes = Buffer.from(`${'x'.repeat(100)}${KEY}${'y'.repeat(50)}${token.value}${KEY}`);
    for (let at = 0; at < bytes.length; at += 7) scanner.push(bytes.subarray(at, at + 7));
    expect(scanner.names()).toEqual(['ANTHROPIC_API_KEY', 'EXPORT_TOKEN']);
  });

  it('finds nothing in clean bytes', () => {
    const scanner = new SecretScanner(secrets);
    scanner.push(Buffer.from(KEY.slice(0, 10)));
    scanner.push(Buffer.from('and then something else'));
    expect(scanner.names()).toEqual([]);
  });
});

describe('collectSecrets and mergeSecrets', () => {
  it('keeps each value once, longest first, and ignores values too short to be keys', () => {
    const fromEnv = collectSecrets({ ANTHROPIC_API_KEY: KEY, MY_TOKEN: 'short', OTHER: 'o-0123456789' }, ['MY_TOKEN', 'OTHER']);
    expect(fromEnv.map((s) => s.name)).toEqual(['ANTHROPIC_API_KEY', 'OTHER']);
    const merged = mergeSecrets(fromEnv, [{ name: 'AGAIN', value: KEY }, { name: 'LONGER', value: `${KEY}-and-more` }]);
    expect(merged.map((s) => s.name)).toEqual(['LONGER', 'ANTHROPIC_API_KEY', 'OTHER']);
    expect(redactSecrets(`${KEY}-and-more ${KEY}`, merged)).toBe('[redacted LONGER] [redacted ANTHROPIC_API_KEY]');
  });
});
