import { readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { initGenerator, isPluginRegistered } from './init';

describe('initGenerator', () => {
  let tree: Tree;

  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
  });

  it('registers the plugin in nx.json and touches nothing else', async () => {
    const before = new Map(tree.listChanges().map((change) => [change.path, change.content?.toString()]));

    await initGenerator(tree, { skipFormat: true });

    expect(readNxJson(tree)?.plugins).toEqual([{ plugin: 'nx-agent-lanes' }]);
    const touched = tree
      .listChanges()
      .filter((change) => before.get(change.path) !== change.content?.toString())
      .map((change) => change.path);
    expect(touched).toEqual(['nx.json']);
  });

  it('keeps the plugins already registered, after them', async () => {
    updateNxJson(tree, { ...readNxJson(tree), plugins: ['@nx/jest/plugin', { plugin: '@nx/eslint/plugin', options: {} }] });

    await initGenerator(tree, { skipFormat: true });

    expect(readNxJson(tree)?.plugins).toEqual([
      '@nx/jest/plugin',
      { plugin: '@nx/eslint/plugin', options: {} },
      { plugin: 'nx-agent-lanes' },
    ]);
  });

  it('is idempotent: a second run leaves nx.json byte for byte', async () => {
    await initGenerator(tree, { skipFormat: true });
    const once = tree.read('nx.json', 'utf-8');

    await initGenerator(tree, { skipFormat: true });

    expect(tree.read('nx.json', 'utf-8')).toBe(once);
    expect(readNxJson(tree)?.plugins).toHaveLength(1);
  });

  it.each([
    ['a string', 'nx-agent-lanes'],
    ['an object with options', { plugin: 'nx-agent-lanes', include: ['features/**'] }],
  ])('leaves a registration as %s alone', async (_label, entry) => {
    updateNxJson(tree, { ...readNxJson(tree), plugins: [entry] });
    const before = tree.read('nx.json', 'utf-8');

    await initGenerator(tree, {});

    expect(tree.read('nx.json', 'utf-8')).toBe(before);
  });

  it('creates the plugins list when nx.json has none', async () => {
    const nxJson = readNxJson(tree) ?? {};
    delete nxJson.plugins;
    updateNxJson(tree, nxJson);

    await initGenerator(tree, { skipFormat: true });

    expect(isPluginRegistered(readNxJson(tree) ?? {})).toBe(true);
  });
});

describe('isPluginRegistered', () => {
  it('does not mistake another plugin with a similar name', () => {
    expect(isPluginRegistered({ plugins: ['nx-agent-lanes-extra', { plugin: '@acme/nx-agent-lanes' }] })).toBe(false);
  });
});
