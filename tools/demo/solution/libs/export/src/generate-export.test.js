'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Readable } = require('node:stream');
const { generateExport, ExportError, EXPORT_KINDS } = require('./index');

async function readAll(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

test('orders: a header row, then one CRLF record per order, quoted where RFC 4180 says', async () => {
  const stream = generateExport('u_1', 'csv', { kind: 'orders' });
  assert.ok(stream instanceof Readable);
  assert.equal(
    await readAll(stream),
    'id,created_at_utc,status,items,item_count,total,currency\r\n' +
      'ord_1001,2024-03-02T23:30:00Z,paid,2 x Widget,2,25.00,EUR\r\n' +
      'ord_1002,2024-03-15T08:05:00Z,refunded,"1 x Widget, ""Deluxe""",1,49.99,EUR\r\n' +
      'ord_1003,2024-04-01T12:00:00Z,paid,3 x Gadget; 1 x Widget,4,21.50,EUR\r\n',
  );
});

test('orders is the default kind', async () => {
  assert.match(await readAll(generateExport('u_1', 'csv')), /^id,created_at_utc,status,/);
});

test('invoices: amounts with two decimals, timestamps in UTC', async () => {
  const lines = (await readAll(generateExport('u_2', 'csv', { kind: 'invoices' }))).split('\r\n');
  assert.deepEqual(lines, [
    'id,order_id,issued_at_utc,due_at_utc,amount,currency,status',
    'inv_601,ord_2001,2024-02-29T17:46:00Z,2024-03-30T23:59:59Z,999.00,USD,paid',
    '',
  ]);
});

test('activity: a detail with a line break and quotes stays one field', async () => {
  const text = await readAll(generateExport('u_1', 'csv', { kind: 'activity' }));
  assert.ok(text.startsWith('id,at_utc,action,detail\r\n'));
  assert.ok(text.includes('act_2,2024-03-15T08:10:00Z,refund_requested,"Reason given:\n""Arrived scratched, sorry"""\r\n'));
  assert.ok(text.endsWith('act_3,2024-04-01T12:02:30Z,password_changed,\r\n'));
});

test('an unknown customer gets the header row only', async () => {
  assert.equal(await readAll(generateExport('nobody', 'csv', { kind: 'invoices' })), 'id,order_id,issued_at_utc,due_at_utc,amount,currency,status\r\n');
});

test('an unknown format or kind throws ExportError at once', () => {
  assert.throws(() => generateExport('u_1', 'xlsx'), (e) => e instanceof ExportError && e.code === 'UNSUPPORTED_FORMAT');
  assert.throws(() => generateExport('u_1', 'csv', { kind: 'passwords' }), (e) => e instanceof ExportError && e.code === 'UNKNOWN_KIND');
  assert.throws(() => generateExport('u_1', 'csv', { kind: 'constructor' }), (e) => e.code === 'UNKNOWN_KIND');
});

test('every kind is listed', () => {
  assert.deepEqual(EXPORT_KINDS, ['orders', 'invoices', 'activity']);
});
