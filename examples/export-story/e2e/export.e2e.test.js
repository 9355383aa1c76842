'use strict';
/*
 * The integration test of export-feature, written with the plan before any lane ran: the real
 * API (with the real export library behind it) on a free port, driven by the web app's real
 * download helper, as a browser would: only the DOM and the Blob URL functions are fakes.
 */
const test = require('node:test');
const assert = require('node:assert/strict');
const { createServer } = require('../apps/api/src/server');
const { downloadExport, ExportDownloadError } = require('../apps/web/src/export-button');
const { createFakeDocument } = require('../apps/web/src/testing/fake-dom');
const data = require('../libs/data/src');

/** Records of an RFC 4180 document, each an array of fields. */
function parseCsv(text) {
  const records = [];
  let record = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    record.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const next = text[i + 1];
    if (quoted && c === '"' && next === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      endField();
    } else if (!quoted && c === '\r' && next === '\n') {
      endField();
      records.push(record);
      record = [];
      i++;
    } else {
      field += c;
    }
  }
  assert.equal(field + record.join(''), '', 'the CSV must end with CRLF');
  return records;
}

let server;
let baseUrl;
test.before(async () => {
  server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${server.address().port}`;
});
test.after(() => new Promise((resolve) => server.close(resolve)));

const rowsOf = { orders: data.getOrders, invoices: data.getInvoices, activity: data.getActivity };

for (const kind of Object.keys(rowsOf)) {
  test(`the ${kind} button downloads the customer's ${kind} as CSV from the API`, async (t) => {
    const blobs = new Map();
    t.mock.method(URL, 'createObjectURL', (blob) => {
      const href = `blob:test/${blobs.size + 1}`;
      blobs.set(href, blob);
      return href;
    });
    const revoke = t.mock.method(URL, 'revokeObjectURL', () => {});
    const document = createFakeDocument();

    const saved = await downloadExport({ kind, userId: 'u_1', baseUrl, document });

    assert.equal(saved.filename, `${kind}-u_1.csv`);
    const [[href, blob]] = blobs;
    const records = parseCsv(await blob.text());
    assert.equal(records.length, 1 + rowsOf[kind]('u_1').length, 'a header row, then one record per row');
    assert.ok(records[0].every((name) => name.trim() !== ''), 'the header names every column');
    assert.ok(records.every((r) => r.length === records[0].length), 'every record has a field per column');
    const link = document.created.find((el) => el.tagName === 'A');
    assert.equal(link.clicks, 1);
    assert.equal(link.parentNode, null, 'the temporary link is removed');
    assert.deepEqual(revoke.mock.calls.map((c) => c.arguments[0]), [href], 'the Blob URL is revoked');
  });
}

test('an unknown format is a 400 with the ExportError code', async () => {
  const res = await fetch(`${baseUrl}/api/export/orders?format=xlsx`, { headers: { 'x-user-id': 'u_1' } });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error.code, 'UNSUPPORTED_FORMAT');
});

test('an unknown kind rejects the download with ExportDownloadError and saves nothing', async (t) => {
  const create = t.mock.method(URL, 'createObjectURL', () => 'blob:test/x');
  await assert.rejects(downloadExport({ kind: 'passwords', userId: 'u_1', baseUrl, document: createFakeDocument() }), ExportDownloadError);
  assert.equal(create.mock.callCount(), 0);
});
