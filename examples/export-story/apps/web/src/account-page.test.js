'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { renderAccountPage, formatMoney } = require('./account-page');
const { createFakeDocument, findAll } = require('./testing/fake-dom');

test('the account page lists orders newest first', async () => {
  const document = createFakeDocument();
  const client = {
    getJson: async () => [
      { id: 'ord_1', status: 'paid', totalCents: 2500, currency: 'EUR' },
      { id: 'ord_2', status: 'open', totalCents: 999, currency: 'EUR' },
    ],
  };
  const { list } = await renderAccountPage({ root: document.body, client, document });
  assert.deepEqual(
    list.children.map((li) => li.textContent),
    ['ord_2 · open · 9.99 EUR', 'ord_1 · paid · 25.00 EUR'],
  );
  assert.equal(findAll(document.body, (el) => el.tagName === 'H1')[0].textContent, 'Your account');
});

test('money is shown with two decimals', () => {
  assert.equal(formatMoney(5, 'USD'), '0.05 USD');
});
