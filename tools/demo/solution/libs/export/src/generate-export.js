'use strict';
const { Readable } = require('node:stream');
const { getOrders, getInvoices, getActivity, orderTotalCents } = require('../../data/src');
const { formatCsvRecord } = require('./csv');
const { ExportError } = require('./export-error');

/** Instants in UTC, and the header says so: decided for lane export-logic ("UTC, with an explicit column header"). */
const utc = (date) => date.toISOString().replace(/\.000Z$/, 'Z');
const money = (cents) => (cents / 100).toFixed(2);

/** Per kind: the rows of a customer, and the columns as [header, value of a row]. */
const EXPORTS = {
  orders: {
    rows: getOrders,
    columns: [
      ['id', (o) => o.id],
      ['created_at_utc', (o) => utc(o.createdAt)],
      ['status', (o) => o.status],
      ['items', (o) => o.items.map((item) => `${item.quantity} x ${item.name}`).join('; ')],
      ['item_count', (o) => o.items.reduce((sum, item) => sum + item.quantity, 0)],
      ['total', (o) => money(orderTotalCents(o))],
      ['currency', (o) => o.currency],
    ],
  },
  invoices: {
    rows: getInvoices,
    columns: [
      ['id', (i) => i.id],
      ['order_id', (i) => i.orderId],
      ['issued_at_utc', (i) => utc(i.issuedAt)],
      ['due_at_utc', (i) => utc(i.dueAt)],
      ['amount', (i) => money(i.amountCents)],
      ['currency', (i) => i.currency],
      ['status', (i) => i.status],
    ],
  },
  activity: {
    rows: getActivity,
    columns: [
      ['id', (a) => a.id],
      ['at_utc', (a) => utc(a.at)],
      ['action', (a) => a.action],
      ['detail', (a) => a.detail],
    ],
  },
};

const EXPORT_KINDS = Object.keys(EXPORTS);
const FORMATS = ['csv'];

/**
 * The customer's `kind` rows as an RFC 4180 CSV stream of UTF-8 bytes, header row first.
 * Validation throws synchronously, so an HTTP caller can still answer 400; the data is read
 * here too, so the stream reflects the moment of the request.
 */
function generateExport(userId, format, { kind = 'orders' } = {}) {
  if (!FORMATS.includes(format)) {
    throw new ExportError('UNSUPPORTED_FORMAT', `Unsupported export format "${format}"; supported: ${FORMATS.join(', ')}`);
  }
  if (!Object.hasOwn(EXPORTS, kind)) {
    throw new ExportError('UNKNOWN_KIND', `Unknown export "${kind}"; known: ${EXPORT_KINDS.join(', ')}`);
  }
  const spec = EXPORTS[kind];
  const rows = spec.rows(userId);
  function* records() {
    yield Buffer.from(formatCsvRecord(spec.columns.map(([header]) => header)));
    for (const row of rows) yield Buffer.from(formatCsvRecord(spec.columns.map(([, value]) => value(row))));
  }
  return Readable.from(records(), { objectMode: false });
}

module.exports = { generateExport, EXPORT_KINDS };
