'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const page = readFileSync(join(__dirname, '..', 'exports.md'), 'utf8');

test('names the three exports and where their buttons are', () => {
  for (const kind of ['orders', 'invoices', 'activity']) assert.match(page, new RegExp(`Download ${kind} \\(CSV\\)`));
  assert.match(page, /account page/);
});

test('describes the file: CSV, UTF-8, a header row', () => {
  assert.match(page, /RFC 4180/);
  assert.match(page, /UTF-8/);
  assert.match(page, /header/);
});

test('documents the endpoint, its headers and every error code', () => {
  assert.match(page, /GET \/api\/export\/\{kind\}\?format=csv/);
  assert.match(page, /x-user-id/);
  assert.match(page, /text\/csv; charset=utf-8/);
  assert.match(page, /Content-Disposition/);
  for (const code of ['UNSUPPORTED_FORMAT', 'UNKNOWN_KIND', 'UNAUTHENTICATED']) assert.ok(page.includes(code), code);
});

test('leaves the columns to the export itself', () => {
  assert.doesNotMatch(page, /created_at|order_id/);
});
