import { buildLaneEnv, PLACEHOLDER_API_KEY } from './build-lane-env';
import { readUpstreamFromEnv } from './read-upstream-env';

describe('readUpstreamFromEnv', () => {
  it('reads the base URL and both credentials as the SDK names them, empty meaning unset', () => {
    expect(readUpstreamFromEnv({ ANTHROPIC_BASE_URL: 'https://gw.example/anthropic', ANTHROPIC_API_KEY: 'k', ANTHROPIC_AUTH_TOKEN: ' ' })).toEqual({
      upstream: 'https://gw.example/anthropic',
      apiKey: 'k',
    });
    expect(readUpstreamFromEnv({ ANTHROPIC_AUTH_TOKEN: 't' })).toEqual({ upstream: 'https://api.anthropic.com', authToken: 't' });
  });
});

describe('buildLaneEnv', () => {
  it('takes every credential out and points the lane at its proxy address with the placeholder', () => {
    const env = { PATH: '/bin', ANTHROPIC_API_KEY: 'real', ANTHROPIC_AUTH_TOKEN: 'tok', CLAUDE_CODE_OAUTH_TOKEN: 'oauth', ANTHROPIC_BASE_URL: 'https://user' };
    expect(buildLaneEnv(env, { baseUrl: 'http://127.0.0.1:1/lane/x' })).toEqual({
      PATH: '/bin',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:1/lane/x',
      ANTHROPIC_API_KEY: PLACEHOLDER_API_KEY,
    });
    expect(env.ANTHROPIC_API_KEY).toBe('real');
  });
});
