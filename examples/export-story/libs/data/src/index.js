'use strict';

/**
 * The data layer: read-only queries over the in-memory store, always scoped to one customer.
 * Every query returns copies sorted oldest first, so callers may change what they get.
 */
const store = require('./fixtures');

function copyRows(rows, userId, dateKey) {
  return rows
    .filter((row) => row.userId === userId)
    .sort((a, b) => a[dateKey] - b[dateKey])
    .map((row) => structuredClone(row));
}

/** The customer `userId`, or undefined. */
function getUser(userId) {
  const user = store.users.find((u) => u.id === userId);
  return user && { ...user };
}

/** Orders of `userId`, oldest first: { id, userId, createdAt: Date, status, items[], currency }. */
function getOrders(userId) {
  return copyRows(store.orders, userId, 'createdAt');
}

/** Invoices of `userId`, oldest first: { id, userId, orderId, issuedAt, dueAt, amountCents, currency, status }. */
function getInvoices(userId) {
  return copyRows(store.invoices, userId, 'issuedAt');
}

/** Account activity of `userId`, oldest first: { id, userId, at: Date, action, detail }. */
function getActivity(userId) {
  return copyRows(store.activity, userId, 'at');
}

/** An order's total in cents. */
function orderTotalCents(order) {
  return order.items.reduce((sum, item) => sum + item.quantity * item.unitCents, 0);
}

module.exports = { getUser, getOrders, getInvoices, getActivity, orderTotalCents };
