'use strict';

/** Small response helpers shared by every route. */

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The API's one error shape: { "error": { "code", "message" } }. */
function sendError(res, status, code, message) {
  sendJson(res, status, { error: { code, message } });
}

module.exports = { sendJson, sendError };
