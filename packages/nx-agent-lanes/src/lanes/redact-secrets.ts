/** Environment variables whose values are secret whatever the feature says. */
export const BUILTIN_SECRET_ENV = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN'];

export interface SecretValue {
  name: string;
  value: string;
}

/** The secret values present in `env`, longest first (so a secret containing another is caught whole). */
export function collectSecrets(env: NodeJS.ProcessEnv, extraNames: readonly string[] = []): SecretValue[] {
  const names = new Set([...BUILTIN_SECRET_ENV, ...extraNames]);
  return [...names]
    .map((name) => ({ name, value: env[name] ?? '' }))
    // Very short values would redact ordinary words; no real key is this short.
    .filter((s) => s.value.length >= 8)
    .sort((a, b) => b.value.length - a.value.length);
}

/** Several lists of secrets as one: each value once, longest first. */
export function mergeSecrets(...lists: ReadonlyArray<readonly SecretValue[]>): SecretValue[] {
  const byValue = new Map<string, SecretValue>();
  for (const secret of lists.flat()) if (!byValue.has(secret.value)) byValue.set(secret.value, secret);
  return [...byValue.values()].sort((a, b) => b.value.length - a.value.length);
}

/** Replaces every secret value in `text` with `[redacted NAME]`. */
export function redactSecrets(text: string, secrets: readonly SecretValue[]): string {
  let out = text;
  for (const { name, value } of secrets) {
    if (out.includes(value)) out = out.split(value).join(`[redacted ${name}]`);
  }
  return out;
}

/**
 * Redacts a stream of text that arrives in pieces (a pipe's chunks). A secret may be split
 * between two pieces, and each piece alone holds only part of it: so the end of a piece that
 * could be the start of a secret is held back until the next piece (or `end`) decides. Only
 * that much is held, so output that pauses mid-line still shows at once. Whatever later cuts
 * the released text (a line-length or byte cap) can then not split a secret it has not seen.
 */
export class StreamRedactor {
  private held = '';

  constructor(private readonly secrets: readonly SecretValue[]) {}

  /** The part of `held + text` that is safe to release, redacted. */
  push(text: string): string {
    if (!this.secrets.length) return text;
    const all = redactSecrets(this.held + text, this.secrets);
    const keep = partialSecretAtEnd(all, this.secrets);
    this.held = all.slice(all.length - keep);
    return all.slice(0, all.length - keep);
  }

  /** The stream is over: what was held back cannot become a secret any more. */
  end(): string {
    const rest = this.held;
    this.held = '';
    return rest;
  }
}

/** Length of the longest end of `text` that is the beginning (not the whole) of some secret. */
function partialSecretAtEnd(text: string, secrets: readonly SecretValue[]): number {
  let longest = 0;
  for (const { value } of secrets) {
    for (let length = Math.min(value.length - 1, text.length); length > longest; length--) {
      if (text.endsWith(value.slice(0, length))) {
        longest = length;
        break;
      }
    }
  }
  return longest;
}

/**
 * `value` with every string in it redacted, keys included in the walk but not changed. Redacting
 * before serialising matters: a secret holding `"` or `\` is escaped by JSON.stringify (and `&`,
 * `<` by HTML), so searching the serialised text for the raw value would miss it.
 */
export function redactValue<T>(value: T, secrets: readonly SecretValue[]): T {
  if (!secrets.length) return value;
  if (typeof value === 'string') return redactSecrets(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, secrets)])) as T;
  }
  return value;
}

/** Names of the secrets whose value occurs in `bytes`. */
export function findSecrets(bytes: Buffer | string, secrets: readonly SecretValue[]): string[] {
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  return secrets.filter((s) => buffer.includes(Buffer.from(s.value, 'utf8'))).map((s) => s.name);
}

/**
 * Finds secret values in bytes read piece by piece (a large file), without holding the whole:
 * the last bytes of each piece, one fewer than the longest secret, are searched again with the
 * next, so a value split between two reads is still found.
 */
export class SecretScanner {
  private readonly values: Array<{ name: string; bytes: Buffer }>;
  private readonly overlap: number;
  private tail = Buffer.alloc(0);
  private readonly found = new Set<string>();

  constructor(secrets: readonly SecretValue[]) {
    this.values = secrets.map((s) => ({ name: s.name, bytes: Buffer.from(s.value, 'utf8') }));
    this.overlap = Math.max(0, ...this.values.map((v) => v.bytes.length - 1));
  }

  push(chunk: Buffer): void {
    if (!this.values.length) return;
    const window = this.tail.length ? Buffer.concat([this.tail, chunk]) : chunk;
    for (const { name, bytes } of this.values) if (!this.found.has(name) && window.includes(bytes)) this.found.add(name);
    this.tail = Buffer.from(window.subarray(Math.max(0, window.length - this.overlap)));
  }

  /** Names of the secrets seen so far, in the order the secrets were given. */
  names(): string[] {
    return this.values.filter((v) => this.found.has(v.name)).map((v) => v.name);
  }
}
