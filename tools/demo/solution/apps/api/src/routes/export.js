'use strict';
const { pipeline } = require('node:stream');
const { sendError } = require('../http');

const CSV_HEADERS = { 'Content-Type': 'text/csv; charset=utf-8', 'Cache-Control': 'no-store' };

/**
 * GET /api/export/:kind?format=csv (contract, section 2). `loadExports` is called per request,
 * not at startup, so the server starts without libs/export and tests can pass their own.
 */
function createExportRoute({ loadExports = () => require('../../../../libs/export/src') } = {}) {
  return {
    method: 'GET',
    path: '/api/export/:kind',
    handle(req, res, { params, query, userId }) {
      const { generateExport, ExportError } = loadExports();
      const format = query.get('format') ?? 'csv';
      let csv;
      try {
        csv = generateExport(userId, format, { kind: params.kind });
      } catch (error) {
        if (error instanceof ExportError) return sendError(res, 400, error.code, error.message);
        throw error;
      }
      res.writeHead(200, { ...CSV_HEADERS, 'Content-Disposition': `attachment; filename="${params.kind}-${userId}.csv"` });
      // Streamed, not buffered: a big export never sits in memory. A failure mid-stream can
      // only cut the response short, which the client sees as a broken download.
      pipeline(csv, res, () => {});
    },
  };
}

module.exports = createExportRoute();
module.exports.createExportRoute = createExportRoute;
