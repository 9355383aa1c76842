import { routeProxyRequest } from './route-proxy-request';

describe('routeProxyRequest', () => {
  it('forwards the two Messages API routes of a lane, query kept', () => {
    expect(routeProxyRequest('POST', '/lane/abc_D-9/v1/messages?beta=true')).toEqual({ kind: 'forward', token: 'abc_D-9', path: '/v1/messages?beta=true', messages: true });
    expect(routeProxyRequest('POST', '/lane/t/v1/messages/count_tokens')).toEqual({ kind: 'forward', token: 't', path: '/v1/messages/count_tokens', messages: false });
  });

  it('folds repeated and trailing slashes', () => {
    expect(routeProxyRequest('POST', '/lane/t//v1/messages/')).toMatchObject({ kind: 'forward', path: '/v1/messages' });
  });

  it('answers a probe of the lane base URL', () => {
    expect(routeProxyRequest('HEAD', '/lane/t')).toEqual({ kind: 'probe', token: 't' });
    expect(routeProxyRequest('GET', '/lane/t/')).toEqual({ kind: 'probe', token: 't' });
  });

  it('refuses other methods and paths, and never puts the token in what it describes', () => {
    expect(routeProxyRequest('GET', '/lane/secret-token/v1/models')).toEqual({ kind: 'refused', token: 'secret-token', what: 'GET /v1/models' });
    expect(routeProxyRequest('GET', '/lane/t/v1/messages')).toMatchObject({ kind: 'refused', what: 'GET /v1/messages' });
    expect(routeProxyRequest('POST', '/lane/t/v1/toString')).toMatchObject({ kind: 'refused' });
  });

  it('finds no lane outside /lane/<token>', () => {
    for (const url of ['/v1/messages', '/lane/', '/lane/a.b/v1/messages', '/lanes/t/v1/messages']) {
      expect(routeProxyRequest('POST', url)).toEqual({ kind: 'no-lane' });
    }
  });
});
