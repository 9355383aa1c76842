'use strict';
const http = require('node:http');
const { createRouter } = require('./router');
const { sendError } = require('./http');

/**
 * The API server. Every /api route needs the caller's customer id in `x-user-id` (the gateway
 * in front of us authenticates the session and sets it).
 */
function createServer({ routes = require('./routes'), log = () => {} } = {}) {
  const findRoute = createRouter(routes);
  return http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://api.local');
    const found = findRoute(req.method, url.pathname);
    if (!found) return sendError(res, 404, 'NOT_FOUND', `No route for ${req.method} ${url.pathname}`);
    const userId = req.headers['x-user-id'];
    if (found.route.path.startsWith('/api/') && !userId) {
      return sendError(res, 401, 'UNAUTHENTICATED', 'The x-user-id header is missing');
    }
    try {
      await found.route.handle(req, res, { params: found.params, query: url.searchParams, userId });
    } catch (error) {
      log(`${req.method} ${url.pathname} failed: ${error.stack}`);
      if (!res.headersSent) sendError(res, 500, 'INTERNAL', 'Something went wrong on our side');
      else res.destroy(error);
    }
  });
}

module.exports = { createServer };
