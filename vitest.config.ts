import { defineConfig } from 'vitest/config';

// Two projects: unit tests sit beside the code and never open a socket; e2e tests in test/
// start the compiled server as a child process and talk to it with real clients.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
    ],
  },
});
