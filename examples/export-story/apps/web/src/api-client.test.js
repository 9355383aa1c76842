'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { createApiClient, ApiError } = require('./api-client');

function fakeFetch(status, body) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, init });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, calls };
}

test('getJson sends the customer id and returns the body', async () => {
  const { fetch, calls } = fakeFetch(200, [{ id: 'ord_1' }]);
  const client = createApiClient({ baseUrl: 'https://api.test', userId: 'u_1', fetch });
  assert.deepEqual(await client.getJson('/api/orders'), [{ id: 'ord_1' }]);
  assert.equal(calls[0].url, 'https://api.test/api/orders');
  assert.equal(calls[0].init.headers['x-user-id'], 'u_1');
});

test('getJson turns the API error shape into an ApiError', async () => {
  const { fetch } = fakeFetch(401, { error: { code: 'UNAUTHENTICATED', message: 'The x-user-id header is missing' } });
  const client = createApiClient({ userId: undefined, fetch });
  await assert.rejects(client.getJson('/api/orders'), (error) => error instanceof ApiError && error.code === 'UNAUTHENTICATED' && error.status === 401);
});
