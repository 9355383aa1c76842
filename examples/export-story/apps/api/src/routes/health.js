'use strict';
const { sendJson } = require('../http');

module.exports = {
  method: 'GET',
  path: '/health',
  handle(req, res) {
    sendJson(res, 200, { ok: true });
  },
};
