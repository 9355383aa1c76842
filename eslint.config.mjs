// The workspace's ESLint rules (flat config, ESLint 9): Nx's base, TypeScript and JavaScript presets,
// as `nx g @nx/eslint:lint-project` writes them, with three adjustments to how this codebase is written.
// Each project's eslint.config.mjs extends this one.
import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/tmp', '**/coverage', '**/.nx', '**/node_modules'],
  },
  {
    files: ['**/*.ts'],
    rules: {
      // A leading underscore names a value dropped on purpose: `const { max_tokens: _unused, ...rest } = ask()`.
      '@typescript-eslint/no-unused-vars': [
        'warn',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // `let x; const finish = () => use(x); ...; x = value;` must stay `let`: `finish` may run before the
      // assignment (an early return), and reading a `const` there throws. ESLint's option for exactly this.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/__fixtures__/**/*.ts'],
    rules: {
      // In a test a wrong `!` throws and fails the test, which is the check wanted.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Expected messages are matched as printed, indentation included: `/problem:\n  features\//`.
      'no-regex-spaces': 'off',
    },
  },
];
