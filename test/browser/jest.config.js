// Browser tests: playwright-core driving Debian's chromium (/usr/bin/chromium) against the app served
// on loopback over a generated demo host. Run with `npm run test:browser`; the default `npm test`
// leaves them out.
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/browser'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'test/tsconfig.json' }] },
  testTimeout: 120000,
  maxWorkers: 1,
};
