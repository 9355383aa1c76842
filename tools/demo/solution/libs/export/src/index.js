'use strict';

/** CSV exports of a customer's data (contract: features/export-feature/contract.md, section 1). */
const { generateExport, EXPORT_KINDS } = require('./generate-export');
const { ExportError } = require('./export-error');

module.exports = { generateExport, ExportError, EXPORT_KINDS };
