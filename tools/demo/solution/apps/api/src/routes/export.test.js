'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Readable } = require('node:stream');
const { createServer } = require('../server');
const { createExportRoute } = require('./export');
const routes = require('./index');

class FakeExportError extends Error {
  constructor(code) {
    super(`fake ${code}`);
    this.code = code;
  }
}

/** A server with only the export route, backed by a generateExport that records its calls. */
async function withExportServer(generateExport, fn) {
  const route = createExportRoute({ loadExports: () => ({ generateExport, ExportError: FakeExportError }) });
  const server = createServer({ routes: [route] });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await fn(`http://127.0.0.1:${server.address().port}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

test('streams the CSV with the contract headers', async () => {
  const calls = [];
  const generateExport = (...args) => {
    calls.push(args);
    return Readable.from([Buffer.from('id,total\r\n'), Buffer.from('ord_1,25.00\r\n')]);
  };
  await withExportServer(generateExport, async (base) => {
    const res = await fetch(`${base}/api/export/orders?format=csv`, { headers: { 'x-user-id': 'u_1' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="orders-u_1.csv"');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('content-length'), null, 'streamed, not buffered');
    assert.equal(await res.text(), 'id,total\r\nord_1,25.00\r\n');
  });
  assert.deepEqual(calls, [['u_1', 'csv', { kind: 'orders' }]]);
});

test('format defaults to csv', async () => {
  const calls = [];
  const generateExport = (...args) => {
    calls.push(args);
    return Readable.from([]);
  };
  await withExportServer(generateExport, async (base) => {
    await (await fetch(`${base}/api/export/invoices`, { headers: { 'x-user-id': 'u_2' } })).text();
  });
  assert.deepEqual(calls, [['u_2', 'csv', { kind: 'invoices' }]]);
});

test('an ExportError is a 400 with its code', async () => {
  const generateExport = () => {
    throw new FakeExportError('UNSUPPORTED_FORMAT');
  };
  await withExportServer(generateExport, async (base) => {
    const res = await fetch(`${base}/api/export/orders?format=xlsx`, { headers: { 'x-user-id': 'u_1' } });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: { code: 'UNSUPPORTED_FORMAT', message: 'fake UNSUPPORTED_FORMAT' } });
  });
});

test('any other error is left to the server: 500', async () => {
  const generateExport = () => {
    throw new TypeError('boom');
  };
  await withExportServer(generateExport, async (base) => {
    const res = await fetch(`${base}/api/export/orders`, { headers: { 'x-user-id': 'u_1' } });
    assert.equal(res.status, 500);
    assert.equal((await res.json()).error.code, 'INTERNAL');
  });
});

test('without x-user-id it is the usual 401', async () => {
  await withExportServer(() => assert.fail('must not export'), async (base) => {
    assert.equal((await fetch(`${base}/api/export/orders`)).status, 401);
  });
});

test('the route is registered with the server', () => {
  assert.ok(routes.some((route) => route.method === 'GET' && route.path === '/api/export/:kind'));
});
