'use strict';

/**
 * A router over plain `node:http`: a route is { method, path, handle }, where `path` may hold
 * `:name` segments. Handlers get (req, res, { params, query, userId }).
 */

function compilePath(path) {
  const names = [];
  const pattern = path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { regex: new RegExp(`^${pattern}$`), names };
}

function createRouter(routes) {
  const compiled = routes.map((route) => ({ route, ...compilePath(route.path) }));
  /** The route for a request and its decoded params, or undefined. */
  return function findRoute(method, pathname) {
    for (const { route, regex, names } of compiled) {
      if (route.method !== method) continue;
      const match = regex.exec(pathname);
      if (!match) continue;
      const params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
      return { route, params };
    }
    return undefined;
  };
}

module.exports = { createRouter };
