'use strict';

/** RFC 4180: quote a field only when it holds a comma, a double quote or a line break. */
function formatCsvField(value) {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, CRLF-terminated (RFC 4180 ends every record, the last one too, with CRLF). */
function formatCsvRecord(values) {
  return `${values.map(formatCsvField).join(',')}\r\n`;
}

module.exports = { formatCsvField, formatCsvRecord };
