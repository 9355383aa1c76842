// Lint rules of the plugin: the workspace's, plus Nx's checks of what Nx and npm read from the package.
// Globs start with `**/` because the @nx/eslint:lint executor runs ESLint 9 from the workspace root, where a
// pattern such as `./executors.json` never matches (nrwl/nx#31208); each rule itself only looks at this
// project's own files.
import jsoncParser from 'jsonc-eslint-parser';
import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  {
    files: ['**/*.json'],
    languageOptions: { parser: jsoncParser },
  },
  {
    // Every executor and generator names an implementation and a schema.json that exist.
    files: ['**/package.json', '**/executors.json', '**/generators.json'],
    rules: { '@nx/nx-plugin-checks': 'error' },
  },
  {
    // package.json lists what the shipped code imports, and nothing it does not.
    files: ['**/package.json'],
    rules: {
      '@nx/dependency-checks': [
        'error',
        {
          ignoredFiles: ['{projectRoot}/eslint.config.mjs'],
          // A peer on purpose: the plugin runs inside the user's Nx, which @nx/devkit itself requires.
          ignoredDependencies: ['nx'],
        },
      ],
    },
  },
];
