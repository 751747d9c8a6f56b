/** Jest in native ESM mode (run through `node --experimental-vm-modules`). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
  // Generous: a loaded machine (CI may share the cores) stretches every run; tests wait on conditions, and this
  // only ends a test that really hangs.
  testTimeout: 300_000,
  maxWorkers: 2,
};
