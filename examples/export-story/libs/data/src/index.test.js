'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { getUser, getOrders, getInvoices, getActivity, orderTotalCents } = require('./index');

test('queries are scoped to one customer and sorted oldest first', () => {
  const orders = getOrders('u_1');
  assert.deepEqual(orders.map((o) => o.id), ['ord_1001', 'ord_1002', 'ord_1003']);
  assert.ok(orders.every((o) => o.userId === 'u_1'));
  assert.deepEqual(getInvoices('u_2').map((i) => i.id), ['inv_601']);
  assert.deepEqual(getActivity('u_1').map((a) => a.action), ['login', 'refund_requested', 'password_changed']);
});

test('an unknown customer has no rows and no profile', () => {
  assert.deepEqual(getOrders('nobody'), []);
  assert.equal(getUser('nobody'), undefined);
});

test('callers get copies, not the store', () => {
  getOrders('u_1')[0].items[0].quantity = 99;
  assert.equal(getOrders('u_1')[0].items[0].quantity, 2);
  assert.ok(getOrders('u_1')[0].createdAt instanceof Date);
});

test('order totals are integer cents', () => {
  assert.equal(orderTotalCents(getOrders('u_1')[2]), 2150);
});

test('customers have a profile with a time zone', () => {
  assert.equal(getUser('u_2').timeZone, 'America/New_York');
});
