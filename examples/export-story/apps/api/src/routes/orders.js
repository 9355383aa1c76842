'use strict';
const { getOrders, getInvoices, getActivity, orderTotalCents } = require('../../../../libs/data/src');
const { sendJson } = require('../http');

/** JSON lists for the account page. */
module.exports = [
  {
    method: 'GET',
    path: '/api/orders',
    handle(req, res, { userId }) {
      sendJson(res, 200, getOrders(userId).map((order) => ({ ...order, totalCents: orderTotalCents(order) })));
    },
  },
  {
    method: 'GET',
    path: '/api/invoices',
    handle(req, res, { userId }) {
      sendJson(res, 200, getInvoices(userId));
    },
  },
  {
    method: 'GET',
    path: '/api/activity',
    handle(req, res, { userId }) {
      sendJson(res, 200, getActivity(userId));
    },
  },
];
