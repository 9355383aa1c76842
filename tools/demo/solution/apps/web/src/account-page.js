'use strict';
const { mountExportButton } = require('./export-button');

/** The account page: the customer's orders, newest first, as a list; then the CSV downloads. */

const EXPORT_KINDS = ['orders', 'invoices', 'activity'];

function formatMoney(cents, currency) {
  return `${(cents / 100).toFixed(2)} ${currency}`;
}

async function renderAccountPage({ root, client, document = globalThis.document }) {
  const heading = document.createElement('h1');
  heading.textContent = 'Your account';
  root.appendChild(heading);

  const list = document.createElement('ul');
  list.setAttribute('data-section', 'orders');
  const orders = await client.getJson('/api/orders');
  for (const order of orders.reverse()) {
    const item = document.createElement('li');
    item.textContent = `${order.id} · ${order.status} · ${formatMoney(order.totalCents, order.currency)}`;
    list.appendChild(item);
  }
  root.appendChild(list);

  const exports = document.createElement('div');
  exports.setAttribute('data-section', 'exports');
  for (const kind of EXPORT_KINDS) {
    mountExportButton({ container: exports, kind, userId: client.userId, baseUrl: client.baseUrl, fetch: client.fetch, document });
  }
  root.appendChild(exports);
  return { list, exports };
}

module.exports = { renderAccountPage, formatMoney };
