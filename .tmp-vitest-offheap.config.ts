import { defineConfig } from 'vitest/config';
export default defineConfig({
  resolve: { alias: [{ find: /^\.\.\/engine\/map-keyspace\.js$/, replacement: '/tmp/offheap-shim/shim.ts' }] },
  test: { include: ['src/commands/**/*.test.ts', 'src/server/**/*.test.ts', 'src/protocols/**/*.test.ts', 'src/persistence/**/*.test.ts'], environment: 'node' },
});
