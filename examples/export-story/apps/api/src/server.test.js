'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { createServer } = require('./server');

async function withServer(fn) {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await fn(`http://127.0.0.1:${server.address().port}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

test('health needs no customer', () =>
  withServer(async (base) => {
    const res = await fetch(`${base}/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true });
  }));

test('api routes need x-user-id', () =>
  withServer(async (base) => {
    const res = await fetch(`${base}/api/orders`);
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, 'UNAUTHENTICATED');
  }));

test("orders are the caller's, with totals", () =>
  withServer(async (base) => {
    const res = await fetch(`${base}/api/orders`, { headers: { 'x-user-id': 'u_1' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    const orders = await res.json();
    assert.deepEqual(orders.map((o) => o.totalCents), [2500, 4999, 2150]);
  }));

test('unknown paths are 404 in the error shape', () =>
  withServer(async (base) => {
    const res = await fetch(`${base}/api/nothing`, { headers: { 'x-user-id': 'u_1' } });
    assert.equal(res.status, 404);
    assert.equal((await res.json()).error.code, 'NOT_FOUND');
  }));
