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
  // Native ESM in node:vm keeps each test file's module graph alive after the file ends (jestjs/jest#14605,
  // nodejs/node#63186: no handle involved), so a worker's heap grows by 5-50 MB a file, to well over a GB after
  // half the suite. Tearing such a heap down takes longer than the 500 ms jest gives a worker to exit when the run
  // ends, and jest then reports it as "failed to exit gracefully". A worker whose heap passes this after a file is
  // replaced by a fresh one.
  workerIdleMemoryLimit: '512MB',
};
