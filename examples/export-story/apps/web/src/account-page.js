'use strict';

/** The account page: the customer's orders, newest first, as a list. */

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
  return { list };
}

module.exports = { renderAccountPage, formatMoney };
