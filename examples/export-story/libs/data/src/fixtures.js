'use strict';

/*
 * The in-memory store behind the API. Instants are Date objects (UTC inside, like a database's
 * timestamptz); amounts are integer cents, so no float ever touches money.
 */

const at = (iso) => new Date(iso);

const users = [
  { id: 'u_1', name: 'Ada Lovelace', email: 'ada@example.com', timeZone: 'Europe/London' },
  { id: 'u_2', name: 'Grace Hopper', email: 'grace@example.com', timeZone: 'America/New_York' },
  { id: 'u_3', name: 'Katherine Johnson', email: 'katherine@example.com', timeZone: 'America/Chicago' },
];

const orders = [
  { id: 'ord_1001', userId: 'u_1', createdAt: at('2024-03-02T23:30:00Z'), status: 'paid', items: [{ sku: 'WID-1', name: 'Widget', quantity: 2, unitCents: 1250 }], currency: 'EUR' },
  { id: 'ord_1002', userId: 'u_1', createdAt: at('2024-03-15T08:05:00Z'), status: 'refunded', items: [{ sku: 'WID-2', name: 'Widget, "Deluxe"', quantity: 1, unitCents: 4999 }], currency: 'EUR' },
  { id: 'ord_1003', userId: 'u_1', createdAt: at('2024-04-01T12:00:00Z'), status: 'paid', items: [{ sku: 'GAD-7', name: 'Gadget', quantity: 3, unitCents: 300 }, { sku: 'WID-1', name: 'Widget', quantity: 1, unitCents: 1250 }], currency: 'EUR' },
  { id: 'ord_2001', userId: 'u_2', createdAt: at('2024-02-29T17:45:00Z'), status: 'paid', items: [{ sku: 'COB-1', name: 'Compiler', quantity: 1, unitCents: 99900 }], currency: 'USD' },
];

const invoices = [
  { id: 'inv_501', userId: 'u_1', orderId: 'ord_1001', issuedAt: at('2024-03-02T23:31:00Z'), dueAt: at('2024-04-01T23:59:59Z'), amountCents: 2500, currency: 'EUR', status: 'paid' },
  { id: 'inv_502', userId: 'u_1', orderId: 'ord_1002', issuedAt: at('2024-03-15T08:06:00Z'), dueAt: at('2024-04-14T23:59:59Z'), amountCents: 4999, currency: 'EUR', status: 'void' },
  { id: 'inv_503', userId: 'u_1', orderId: 'ord_1003', issuedAt: at('2024-04-01T12:01:00Z'), dueAt: at('2024-05-01T23:59:59Z'), amountCents: 2150, currency: 'EUR', status: 'open' },
  { id: 'inv_601', userId: 'u_2', orderId: 'ord_2001', issuedAt: at('2024-02-29T17:46:00Z'), dueAt: at('2024-03-30T23:59:59Z'), amountCents: 99900, currency: 'USD', status: 'paid' },
];

const activity = [
  { id: 'act_1', userId: 'u_1', at: at('2024-03-02T23:29:10Z'), action: 'login', detail: 'Signed in from Firefox on Linux' },
  { id: 'act_2', userId: 'u_1', at: at('2024-03-15T08:10:00Z'), action: 'refund_requested', detail: 'Reason given:\n"Arrived scratched, sorry"' },
  { id: 'act_3', userId: 'u_1', at: at('2024-04-01T12:02:30Z'), action: 'password_changed', detail: '' },
  { id: 'act_4', userId: 'u_2', at: at('2024-02-29T17:40:00Z'), action: 'login', detail: 'Signed in from Safari, macOS' },
];

module.exports = { users, orders, invoices, activity };
