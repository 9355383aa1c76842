'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { downloadExport, mountExportButton, ExportDownloadError } = require('./export-button');
const { createFakeDocument } = require('./testing/fake-dom');

const CSV = 'id,total\r\nord_1,25.00\r\n';

/** A fetch that answers every request with `status`, `body` and `headers`, and records requests. */
function fakeFetch({ status = 200, body = CSV, headers = {} } = {}) {
  const requests = [];
  const fetch = async (url, init) => {
    requests.push({ url, init });
    return new Response(body, {
      status,
      headers: { 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="orders-u_1.csv"', ...headers },
    });
  };
  return { fetch, requests };
}

/** Replaces URL.createObjectURL / revokeObjectURL for one test; returns their recorded calls. */
function fakeBlobUrls(t) {
  const created = [];
  t.mock.method(URL, 'createObjectURL', (blob) => {
    created.push(blob);
    return `blob:fake/${created.length}`;
  });
  const revoke = t.mock.method(URL, 'revokeObjectURL', () => {});
  return { created, revoked: () => revoke.mock.calls.map((call) => call.arguments[0]) };
}

test('downloads the export through a temporary link, then revokes the Blob URL', async (t) => {
  const urls = fakeBlobUrls(t);
  const { fetch, requests } = fakeFetch();
  const document = createFakeDocument();

  const saved = await downloadExport({ kind: 'orders', userId: 'u_1', baseUrl: 'https://api.test', fetch, document });

  assert.deepEqual(saved, { filename: 'orders-u_1.csv', bytes: CSV.length });
  assert.equal(requests[0].url, 'https://api.test/api/export/orders?format=csv');
  assert.equal(requests[0].init.headers['x-user-id'], 'u_1');
  assert.equal(await urls.created[0].text(), CSV);
  const link = document.created.find((el) => el.tagName === 'A');
  assert.equal(link.download, 'orders-u_1.csv');
  assert.equal(link.href, 'blob:fake/1');
  assert.equal(link.clicks, 1);
  assert.equal(link.parentNode, null, 'the link is removed after the click');
  assert.deepEqual(urls.revoked(), ['blob:fake/1']);
});

test('falls back to <kind>.csv without Content-Disposition', async (t) => {
  fakeBlobUrls(t);
  const { fetch } = fakeFetch({ headers: { 'content-disposition': '' } });
  const saved = await downloadExport({ kind: 'activity', userId: 'u_1', fetch, document: createFakeDocument() });
  assert.equal(saved.filename, 'activity.csv');
});

test('accepts text/csv with parameters such as charset', async (t) => {
  fakeBlobUrls(t);
  const { fetch } = fakeFetch({ headers: { 'content-type': 'text/csv; charset=utf-8' } });
  const saved = await downloadExport({ kind: 'orders', userId: 'u_1', fetch, document: createFakeDocument() });
  assert.equal(saved.filename, 'orders-u_1.csv');
});

test('a wrong content type saves nothing', async (t) => {
  const urls = fakeBlobUrls(t);
  const { fetch } = fakeFetch({ body: '<html>', headers: { 'content-type': 'text/html' } });
  await assert.rejects(downloadExport({ kind: 'orders', userId: 'u_1', fetch, document: createFakeDocument() }), ExportDownloadError);
  assert.equal(urls.created.length, 0);
});

test('an API error is an ExportDownloadError with its message', async (t) => {
  fakeBlobUrls(t);
  const { fetch } = fakeFetch({
    status: 400,
    body: JSON.stringify({ error: { code: 'UNKNOWN_KIND', message: 'Unknown export "passwords"' } }),
    headers: { 'content-type': 'application/json' },
  });
  await assert.rejects(
    downloadExport({ kind: 'passwords', userId: 'u_1', fetch, document: createFakeDocument() }),
    (error) => error instanceof ExportDownloadError && error.message === 'Unknown export "passwords"',
  );
});

test('the button downloads on click and shows a failure without throwing', async (t) => {
  fakeBlobUrls(t);
  const document = createFakeDocument();
  const container = document.createElement('div');
  const ok = mountExportButton({ container, kind: 'orders', userId: 'u_1', fetch: fakeFetch().fetch, document });
  assert.equal(ok.textContent, 'Download orders (CSV)');
  await ok.click();
  assert.equal(ok.disabled, false);
  assert.equal(ok.textContent, 'Download orders (CSV)');

  const broken = mountExportButton({ container, kind: 'invoices', userId: 'u_1', fetch: fakeFetch({ status: 500, body: '' }).fetch, document });
  await broken.click();
  assert.match(broken.textContent, /^Download invoices \(CSV\): failed\. The export failed \(HTTP 500\)$/);
  assert.deepEqual(container.children, [ok, broken]);
});
