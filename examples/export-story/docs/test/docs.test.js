'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { readdirSync, readFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');

/** House rules for every page under docs/: a title, and relative links that resolve. */
const docsDir = join(__dirname, '..');
const pages = readdirSync(docsDir).filter((name) => name.endsWith('.md'));

test('there are pages to check', () => {
  assert.ok(pages.includes('index.md'));
});

for (const page of pages) {
  const text = readFileSync(join(docsDir, page), 'utf8');

  test(`${page} starts with a level-1 title`, () => {
    assert.match(text, /^# \S/);
  });

  test(`${page} links only to pages that exist`, () => {
    const links = [...text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]).filter((href) => !/^[a-z]+:/.test(href));
    for (const href of links) assert.ok(existsSync(join(docsDir, href)), `${page} links to ${href}, which does not exist`);
  });

  test(`${page} is listed in index.md`, () => {
    if (page === 'index.md') return;
    assert.ok(readFileSync(join(docsDir, 'index.md'), 'utf8').includes(`](${page})`), `add ${page} to index.md`);
  });
}
