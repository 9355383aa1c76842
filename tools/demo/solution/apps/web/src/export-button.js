'use strict';

/**
 * "Download … (CSV)" buttons of the account page (contract, section 3). Browser code: `fetch`
 * and `document` are the page's unless a test passes fakes; `URL` is the global one.
 */
class ExportDownloadError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ExportDownloadError';
  }
}

/** The media type of a Content-Type header, without its parameters (`; charset=utf-8`). */
function mediaType(contentType) {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** The file name of a Content-Disposition header, if it names one. */
function filenameFrom(contentDisposition) {
  const match = /filename="([^"]+)"/.exec(contentDisposition ?? '');
  return match?.[1];
}

async function downloadExport({ kind, userId, baseUrl = '', fetch = globalThis.fetch, document = globalThis.document }) {
  const response = await fetch(`${baseUrl}/api/export/${encodeURIComponent(kind)}?format=csv`, {
    headers: { accept: 'text/csv', 'x-user-id': userId },
  });
  if (!response.ok) {
    const body = await response.json().catch(() => undefined);
    throw new ExportDownloadError(body?.error?.message ?? `The export failed (HTTP ${response.status})`);
  }
  const contentType = response.headers.get('content-type');
  if (mediaType(contentType) !== 'text/csv') {
    throw new ExportDownloadError(`Expected a CSV file, but the server sent ${contentType}`);
  }
  const blob = await response.blob();
  const filename = filenameFrom(response.headers.get('content-disposition')) ?? `${kind}.csv`;
  const href = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = href;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The click has handed the file to the browser; revoking frees the CSV, which the Blob URL
  // would otherwise keep in memory until the page is closed.
  URL.revokeObjectURL(href);
  return { filename, bytes: blob.size };
}

function mountExportButton({ container, kind, userId, baseUrl, fetch, document = globalThis.document }) {
  const label = `Download ${kind} (CSV)`;
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = label;
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = `Preparing ${kind}…`;
    try {
      await downloadExport({ kind, userId, baseUrl, fetch, document });
      button.textContent = label;
    } catch (error) {
      button.textContent = `${label}: failed. ${error.message}`;
    } finally {
      button.disabled = false;
    }
  });
  container.appendChild(button);
  return button;
}

module.exports = { downloadExport, mountExportButton, ExportDownloadError };
