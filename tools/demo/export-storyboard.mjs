/**
 * The storyboard of the export story: what each lane's agent does, turn by turn, as a real
 * agent would (read the code, write code and tests, run the tests, fix, finish with a
 * summary). File contents come from tools/demo/solution/; a first draft with a bug in it is
 * derived from the solution by undoing the edit that later fixes it. build-replay.mjs turns
 * these sessions into the replay script.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const solutionDir = join(dirname(fileURLToPath(import.meta.url)), 'solution');
const FEATURE = 'export-feature';

const BLOCKER_QUESTION =
  "Should timestamps in the CSV be in UTC or in the customer's own time zone (the timeZone of their profile)? " +
  'The contract only says ISO 8601.';

/** The content of a solution file, by workspace path. */
export const solution = (path) => readFileSync(join(solutionDir, path), 'utf8');

/** How often `part` occurs in `text`. */
export function count(text, part) {
  return part === '' ? 0 : text.split(part).length - 1;
}

// ---------------------------------------------------------------------------------------------
// Building blocks of a turn.

/** The line of the lane prompt that names the lane (src/prompt/build-lane-prompt.ts). */
const laneLine = (lane) => `You are the agent for lane \`${lane}\` of feature \`${FEATURE}\`.`;

const say = (text) => ({ type: 'text', text });
const tool = (name, input) => ({ type: 'tool_use', name, input });
const readFile = (path) => tool('read_file', { path });
const listFiles = (path) => tool('list_files', { path });
const writeFile = (path, content = solution(path)) => tool('write_file', { path, content });
const editFile = ({ path, oldText, newText }) => tool('edit_file', { path, old_text: oldText, new_text: newText });
const runTests = () => tool('run_tests', {});
const reportBlocker = (question) => tool('report_blocker', { question });
const finish = (summary) => tool('finish', { summary });
const turn = (latencyMs, ...content) => ({ latencyMs, content });

/**
 * A file as it was before `edits` (applied later in the story) changed it: each edit's
 * `newText` put back to its `oldText`, last edit first. This is how a first draft with a bug
 * in it is derived from the solution, so only the fixed version is ever written by hand.
 */
function draftOf(path, edits) {
  let text = solution(path);
  for (const edit of [...edits].reverse()) {
    if (count(text, edit.newText) !== 1) throw new Error(`draftOf(${path}): the new text of an edit must occur once in the solution`);
    text = text.replace(edit.newText, () => edit.oldText);
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// The edits the story makes to files that exist (in the fixture, or in an earlier draft).

const backendRegistersRoute = {
  path: 'apps/api/src/routes/index.js',
  oldText: "module.exports = [require('./health'), ...require('./orders')];",
  newText: "module.exports = [require('./health'), ...require('./orders'), require('./export')];",
};

const csvDoublesQuotes = {
  path: 'libs/export/src/csv.js',
  oldText: '`"${text}"`',
  newText: '`"${text.replace(/"/g, \'""\')}"`',
};

const accountPageImports = {
  path: 'apps/web/src/account-page.js',
  oldText:
    "'use strict';\n\n/** The account page: the customer's orders, newest first, as a list. */\n",
  newText:
    "'use strict';\nconst { mountExportButton } = require('./export-button');\n\n" +
    "/** The account page: the customer's orders, newest first, as a list; then the CSV downloads. */\n\n" +
    "const EXPORT_KINDS = ['orders', 'invoices', 'activity'];\n",
};

const accountPageMountsButtons = {
  path: 'apps/web/src/account-page.js',
  oldText: '  root.appendChild(list);\n  return { list };\n',
  newText:
    '  root.appendChild(list);\n\n' +
    "  const exports = document.createElement('div');\n" +
    "  exports.setAttribute('data-section', 'exports');\n" +
    '  for (const kind of EXPORT_KINDS) {\n' +
    '    mountExportButton({ container: exports, kind, userId: client.userId, baseUrl: client.baseUrl, fetch: client.fetch, document });\n' +
    '  }\n' +
    '  root.appendChild(exports);\n' +
    '  return { list, exports };\n',
};

const docsIndexLinksExports = {
  path: 'docs/index.md',
  oldText: '- [Account activity](account-activity.md)\n',
  newText: '- [Account activity](account-activity.md)\n- [Download your data as CSV](exports.md)\n',
};

// The seam bug: the frontend compares the whole Content-Type header with `text/csv`, while the
// contract (and the backend) send `text/csv; charset=utf-8`. Both lanes' own tests pass.
const frontendAddsMediaType = {
  path: 'apps/web/src/export-button.js',
  oldText: '/** The file name of a Content-Disposition header, if it names one. */\n',
  newText:
    '/** The media type of a Content-Type header, without its parameters (`; charset=utf-8`). */\n' +
    'function mediaType(contentType) {\n' +
    "  return (contentType ?? '').split(';')[0].trim().toLowerCase();\n" +
    '}\n\n' +
    '/** The file name of a Content-Disposition header, if it names one. */\n',
};
const frontendComparesMediaType = {
  path: 'apps/web/src/export-button.js',
  oldText: "  if (contentType !== 'text/csv') {\n",
  newText: "  if (mediaType(contentType) !== 'text/csv') {\n",
};
const charsetTest = (() => {
  const marker = "test('a wrong content type saves nothing'";
  const final = solution('apps/web/src/export-button.test.js');
  const start = final.indexOf("test('accepts text/csv with parameters such as charset'");
  return { path: 'apps/web/src/export-button.test.js', oldText: marker, newText: final.slice(start, final.indexOf(marker)) + marker };
})();

// ---------------------------------------------------------------------------------------------
// The storyboard: one session per agent conversation, in the order the story plays them, in
// the anthropic provider's tools (claude-code-storyboard.mjs translates them for Claude Code).
// `lane` names the lane whose agent holds the conversation; it is not part of the replay script.

export function buildSessions() {
  const backend = {
    name: 'backend',
    lane: 'backend',
    match: { contains: laneLine('backend') },
    turns: [
      turn(
        350,
        say("I'll start with how the API is put together: the server, its router and how routes are registered."),
        listFiles('apps/api'),
        readFile('apps/api/src/server.js'),
      ),
      turn(300, readFile('apps/api/src/routes/index.js'), readFile('apps/api/src/routes/orders.js'), readFile('apps/api/src/http.js')),
      turn(
        400,
        say(
          'Routes are `{ method, path, handle }` objects listed in routes/index.js, and errors use `sendError`. ' +
            '`libs/export` is being written by the export-logic lane right now, so the route loads it per request ' +
            '(the server starts without it) and takes `loadExports` so the test can pass a fake `generateExport`. ' +
            'Writing the route and its test against a real server on a free port.',
        ),
        writeFile('apps/api/src/routes/export.js'),
        writeFile('apps/api/src/routes/export.test.js'),
      ),
      turn(200, say('Registering the route with the server.'), editFile(backendRegistersRoute)),
      turn(250, runTests()),
      turn(
        300,
        finish(
          'Added GET /api/export/:kind (apps/api/src/routes/export.js): streams generateExport(userId, format, { kind }) ' +
            'with Content-Type text/csv; charset=utf-8, Content-Disposition attachment; filename="<kind>-<userId>.csv" and ' +
            'Cache-Control no-store; an ExportError becomes a 400 with its code. libs/export is loaded per request. ' +
            'Registered in routes/index.js. export.test.js covers headers, streaming, the csv default, 400, 500 and 401 ' +
            '(6 tests, green).',
        ),
      ),
    ],
  };

  const exportLogic = {
    name: 'export-logic',
    lane: 'export-logic',
    match: { contains: laneLine('export-logic') },
    turns: [
      // Slower than the other lanes' turns: a blocker reported before they have all started
      // would not show lanes running at once on a loaded machine.
      turn(600, say("First the data layer I export from."), readFile('libs/data/src/index.js'), readFile('libs/data/src/fixtures.js')),
      turn(
        700,
        say(
          'The contract says timestamps are ISO 8601 but not in which time zone. The store holds UTC instants, and ' +
            'every customer has a profile time zone (Europe/London, America/New_York...), so either reading is ' +
            'plausible, and the choice changes every timestamp column and its header. That is a product decision: ' +
            "I'll ask instead of guessing.",
        ),
        reportBlocker(BLOCKER_QUESTION),
      ),
      // The answer arrives as report_blocker's tool result: the same conversation goes on.
      turn(
        400,
        say(
          'UTC it is, and the headers say so: `created_at_utc`, `issued_at_utc`, `due_at_utc`, `at_utc`. Writing the ' +
            'library: the error type, RFC 4180 formatting, the generator over libs/data, the index the contract names, ' +
            'and the Nx project file.',
        ),
        writeFile('libs/export/project.json'),
        writeFile('libs/export/src/export-error.js'),
        writeFile('libs/export/src/csv.js', draftOf('libs/export/src/csv.js', [csvDoublesQuotes])),
        writeFile('libs/export/src/generate-export.js'),
        writeFile('libs/export/src/index.js'),
      ),
      turn(
        300,
        say('Now the tests, with the awkward rows of the fixtures: a product name with a comma and quotes, an activity detail with a line break.'),
        writeFile('libs/export/src/generate-export.test.js'),
      ),
      turn(200, runTests()),
      turn(
        300,
        say(
          'Two tests fail: a field with a double quote in it comes out as `"1 x Widget, "Deluxe""`. RFC 4180 wants the ' +
            'quote doubled inside a quoted field; I enclosed the field but did not escape it.',
        ),
        editFile(csvDoublesQuotes),
      ),
      turn(200, runTests()),
      turn(
        300,
        finish(
          'libs/export: generateExport(userId, format, { kind }) returns a Readable of RFC 4180 CSV (CRLF, quoting with ' +
            'doubled quotes), header row first, timestamps in UTC with _utc headers as answered; ExportError with ' +
            'UNSUPPORTED_FORMAT / UNKNOWN_KIND thrown synchronously; EXPORT_KINDS. Files: src/index.js, ' +
            'generate-export.js, csv.js, export-error.js, project.json. 7 tests in generate-export.test.js, green ' +
            '(the first run caught unescaped quotes).',
        ),
      ),
    ],
  };

  const frontendFix = [frontendAddsMediaType, frontendComparesMediaType];
  const frontend = {
    name: 'frontend',
    lane: 'frontend',
    match: { contains: laneLine('frontend'), notContains: '## Review feedback' },
    turns: [
      turn(
        300,
        say('Reading the web app first: the API client, the account page, its test and the DOM fake the tests use.'),
        readFile('apps/web/src/api-client.js'),
        readFile('apps/web/src/account-page.js'),
        readFile('apps/web/src/account-page.test.js'),
        readFile('apps/web/src/testing/fake-dom.js'),
      ),
      turn(
        400,
        say(
          'The download helper: fetch the export, check status and content type before saving anything, then a Blob ' +
            'URL on a temporary <a download> link, clicked, removed, and the URL revoked so the CSV is freed.',
        ),
        writeFile('apps/web/src/export-button.js', draftOf('apps/web/src/export-button.js', frontendFix)),
      ),
      turn(
        350,
        say('Tests with a fake fetch and the fake DOM, and the buttons on the account page.'),
        writeFile('apps/web/src/export-button.test.js', draftOf('apps/web/src/export-button.test.js', [charsetTest])),
        editFile(accountPageImports),
        editFile(accountPageMountsButtons),
      ),
      turn(200, runTests()),
      turn(
        250,
        finish(
          'apps/web/src/export-button.js: downloadExport (fetch, status and content-type checks, Blob URL on a ' +
            'temporary <a download>, URL.revokeObjectURL after the click) and mountExportButton (disabled while ' +
            'running, failures shown on the button). The account page mounts one button per kind. ' +
            'export-button.test.js: 5 tests with fake fetch/DOM; account-page.test.js still green.',
        ),
      ),
    ],
  };

  // Feedback starts a new conversation whose prompt holds the feedback and the previous patch.
  const frontendFeedback = {
    name: 'frontend-feedback',
    lane: 'frontend',
    match: { contains: [laneLine('frontend'), '## Review feedback'] },
    turns: [
      turn(
        300,
        say(
          'The reviewer is right: the contract says `Content-Type: text/csv; charset=utf-8`, and my check compared the ' +
            'whole header with `text/csv`, so every real download was refused while my test, which faked a bare ' +
            '`text/csv`, passed. I will compare the media type only.',
        ),
        readFile('apps/web/src/export-button.js'),
      ),
      turn(
        300,
        editFile(frontendAddsMediaType),
        editFile(frontendComparesMediaType),
        editFile(charsetTest),
      ),
      turn(200, runTests()),
      turn(
        250,
        finish(
          'export-button.js now compares the media type of Content-Type (parameters such as charset ignored), so the ' +
            "API's text/csv; charset=utf-8 is accepted. Added a test for it; 6 tests green.",
        ),
      ),
    ],
  };

  const docs = {
    name: 'docs',
    lane: 'docs',
    match: { contains: laneLine('docs') },
    turns: [
      turn(
        250,
        say('Reading the existing help pages and the docs house rules.'),
        readFile('docs/index.md'),
        readFile('docs/orders-and-invoices.md'),
        readFile('docs/test/docs.test.js'),
      ),
      turn(
        400,
        say('Writing the exports page, its test, and the link from the index.'),
        writeFile('docs/exports.md'),
        writeFile('docs/test/exports.test.js'),
        editFile(docsIndexLinksExports),
      ),
      turn(150, runTests()),
      turn(
        200,
        finish(
          'docs/exports.md: what can be exported, the buttons, the file format (RFC 4180, UTF-8, header row, time zone ' +
            'named in the headers) and a developer section with the endpoint, headers and error codes; linked from ' +
            'docs/index.md. docs/test/exports.test.js checks those points; the house rules pass.',
        ),
      ),
    ],
  };

  // Order matters for matching only where two sessions could match one request: the feedback
  // session excludes the other by `notContains`, so the order is the story's.
  return [backend, exportLogic, frontend, frontendFeedback, docs];
}
