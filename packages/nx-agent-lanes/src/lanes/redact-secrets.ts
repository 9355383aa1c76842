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
