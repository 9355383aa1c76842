'use strict';

/**
 * Just enough of a DOM for unit tests of browser modules without a browser: elements with
 * children, attributes, listeners and click(). Not a test file itself.
 */

function createElement(tagName) {
  const listeners = new Map();
  const attributes = new Map();
  const element = {
    tagName: tagName.toUpperCase(),
    children: [],
    parentNode: null,
    textContent: '',
    clicks: 0,
    setAttribute(name, value) {
      attributes.set(name, String(value));
    },
    getAttribute(name) {
      return attributes.has(name) ? attributes.get(name) : null;
    },
    appendChild(child) {
      child.parentNode?.removeChild(child);
      child.parentNode = element;
      element.children.push(child);
      return child;
    },
    removeChild(child) {
      element.children = element.children.filter((c) => c !== child);
      child.parentNode = null;
      return child;
    },
    remove() {
      element.parentNode?.removeChild(element);
    },
    addEventListener(type, listener) {
      listeners.set(type, [...(listeners.get(type) ?? []), listener]);
    },
    /** Runs the listeners of `type`; resolves when async listeners have settled. */
    dispatch(type) {
      return Promise.all((listeners.get(type) ?? []).map((listener) => listener({ type, target: element })));
    },
    click() {
      element.clicks++;
      return element.dispatch('click');
    },
  };
  return element;
}

function createFakeDocument() {
  const created = [];
  return {
    body: createElement('body'),
    /** Every element ever created, in order: what a test inspects after the fact. */
    created,
    createElement(tagName) {
      const element = createElement(tagName);
      created.push(element);
      return element;
    },
  };
}

/** Every element under `root` (root included) for which `test` holds, depth first. */
function findAll(root, test) {
  const found = test(root) ? [root] : [];
  for (const child of root.children) found.push(...findAll(child, test));
  return found;
}

module.exports = { createFakeDocument, findAll };
