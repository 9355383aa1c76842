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

/** Replaces every secret value in `text` with `[redacted NAME]`. */
export function redactSecrets(text: string, secrets: readonly SecretValue[]): string {
  let out = text;
  for (const { name, value } of secrets) {
    if (out.includes(value)) out = out.split(value).join(`[redacted ${name}]`);
  }
  return out;
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
