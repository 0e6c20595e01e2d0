import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    // Powertools writes JSON logs and EMF metrics to stdout; keep the test output readable.
    env: {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_SERVICE_NAME: 'mlops-test',
      POWERTOOLS_METRICS_NAMESPACE: 'mlops/test',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/integration/**', 'test/e2e/**'],
        },
      },
      {
        // One moto server for the whole run (started and always stopped by the global setup); each test file
        // gets its own account through its own gateway (test/integration/setup/local-env.ts).
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/setup/global-setup.ts'],
        },
      },
      {
        // `npm run demo`'s scenarios through the demo's own code (demo/), on the same kind of moto server.
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/integration/setup/global-setup.ts'],
        },
      },
    ],
  },
});
