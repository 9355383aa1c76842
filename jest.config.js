/** Unit tests live beside the code; e2e tests drive the built package in scratch workspaces. */
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/packages/nx-agent-lanes/tsconfig.json' }];

module.exports = {
  // Many unit tests drive real git and real processes; e2e files raise this further.
  testTimeout: 30000,
  projects: [
    {
      displayName: 'unit',
      rootDir: __dirname,
      testEnvironment: 'node',
      roots: ['<rootDir>/packages/nx-agent-lanes/src'],
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['**/*.spec.ts'],
    },
    {
      displayName: 'e2e',
      rootDir: __dirname,
      testEnvironment: 'node',
      roots: ['<rootDir>/e2e'],
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/e2e/tsconfig.json' }] },
      testMatch: ['**/*.e2e.spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/e2e/utils/jest-setup.ts'],
    },
  ],
};
