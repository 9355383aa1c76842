import type { UpstreamCredentials } from './upstream-headers';

/** The API the SDK and Claude Code reach when `ANTHROPIC_BASE_URL` is not set. */
export const DEFAULT_UPSTREAM = 'https://api.anthropic.com';

/**
 * Where the proxy forwards to and with what credentials, read from the environment `nx` runs in
 * the way the SDK reads it: `ANTHROPIC_BASE_URL` (else the API), `ANTHROPIC_API_KEY` sent as
 * `x-api-key`, `ANTHROPIC_AUTH_TOKEN` as `Authorization: Bearer`. Empty values count as unset.
 */
export function readUpstreamFromEnv(env: NodeJS.ProcessEnv): UpstreamCredentials & { upstream: string } {
  const value = (name: string) => env[name]?.trim() || undefined;
  return {
    upstream: value('ANTHROPIC_BASE_URL') ?? DEFAULT_UPSTREAM,
    ...(value('ANTHROPIC_API_KEY') ? { apiKey: value('ANTHROPIC_API_KEY') } : {}),
    ...(value('ANTHROPIC_AUTH_TOKEN') ? { authToken: value('ANTHROPIC_AUTH_TOKEN') } : {}),
  };
}
