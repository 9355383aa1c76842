'use strict';

/** Why an export cannot be made. Thrown before any byte is produced, so callers can answer 400. */
class ExportError extends Error {
  /** @param {'UNSUPPORTED_FORMAT' | 'UNKNOWN_KIND'} code */
  constructor(code, message) {
    super(message);
    this.name = 'ExportError';
    this.code = code;
  }
}

module.exports = { ExportError };
