'use strict';

/**
 * The web app's client of the Acme Billing API. Browser code: `fetch` is the page's, injected
 * so tests can pass a fake. The session's customer id travels in `x-user-id`.
 */
class ApiError extends Error {
  constructor(message, { status, code } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

function createApiClient({ baseUrl = '', userId, fetch = globalThis.fetch }) {
  async function getJson(path) {
    const response = await fetch(`${baseUrl}${path}`, { headers: { accept: 'application/json', 'x-user-id': userId } });
    const body = await response.json().catch(() => undefined);
    if (!response.ok) {
      throw new ApiError(body?.error?.message ?? `GET ${path} failed with ${response.status}`, { status: response.status, code: body?.error?.code });
    }
    return body;
  }
  return { baseUrl, userId, fetch, getJson };
}

module.exports = { createApiClient, ApiError };
