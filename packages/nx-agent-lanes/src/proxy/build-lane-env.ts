/** The key an agent is given: any non-empty value satisfies the SDK and Claude Code, and the proxy drops it. */
export const PLACEHOLDER_API_KEY = 'nx-agent-lanes-proxy-placeholder';

/**
 * Variables that carry a credential the SDK, Claude Code or a CLI on them would send. A lane's
 * process gets none of them: an OAuth token left in place would take precedence over the
 * placeholder in Claude Code and go to the proxy, which drops it, but it would still sit in the
 * agent's environment for the agent to read.
 */
export const CREDENTIAL_ENV = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN', 'ANTHROPIC_BASE_URL'];

/**
 * `env` for a lane's process: credentials removed, `ANTHROPIC_BASE_URL` pointing at the lane's
 * address on the proxy, and the placeholder key. Pure: the caller passes the environment it
 * already filtered.
 */
export function buildLaneEnv(env: NodeJS.ProcessEnv, lane: { baseUrl: string }): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of CREDENTIAL_ENV) delete out[name];
  out.ANTHROPIC_BASE_URL = lane.baseUrl;
  out.ANTHROPIC_API_KEY = PLACEHOLDER_API_KEY;
  return out;
}
